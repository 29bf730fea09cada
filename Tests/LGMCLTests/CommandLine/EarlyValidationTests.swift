import Foundation
import Testing
import TestSupport

private let shippedModel = repositoryRoot.appendingPathComponent("models/small-moses").path

/// Flags and paths are checked while the arguments are parsed, before MPI starts: under mpirun
/// the job ends at once, non-zero, and the error is printed by one rank, not by every rank.
struct EarlyValidationTests {
    @Test(arguments: [
        (["pretrain", "--data", "/nonexistent/corpus.h5", "--output", "/tmp/unused", "--epochs", "1"],
         "--data /nonexistent/corpus.h5: no such file or directory"),
        (["pretrain", "--data", "/dev/null", "--output", "/tmp/unused", "--epochs", "1", "--set", "graphTransformer.nothing=3"],
         "graphTransformer.nothing"),
        (["finetune", "--data", "/dev/null", "--output", "/tmp/unused", "--config", "/nonexistent/config.json"],
         "/nonexistent/config.json"),
        (["finetune", "--data", "/dev/null", "--output", "/tmp/unused", "--pretrained", "/nonexistent/pre"],
         "--pretrained /nonexistent/pre: no such file or directory"),
        (["finetune", "--data", "/dev/null", "--output", "/tmp/unused", "--pretrained", "/"],
         "--pretrained /: no config.json"),
        (["finetune", "--data", "/dev/null", "--output", "/tmp/unused", "--pretrained", shippedModel, "--preset", "tiny"],
         "--preset tiny and --pretrained \(shippedModel), a 'small' model"),
        (["pretrain", "--data", "/dev/null", "--output", "/tmp/unused", "--config", shippedModel + "/config.json", "--preset", "paper"],
         "--preset paper and --config \(shippedModel)/config.json, a 'small' model"),
    ])
    func aBadFlagIsReportedOnceBeforeMPIStarts(arguments: [String], message: String) throws {
        let result = try mpirun(3, "lgmcl-dist", arguments, timeout: 60)
        #expect(result.status != 0 && !result.timedOut, "\(result.output)")
        #expect(result.output.components(separatedBy: message).count - 1 == 1, "expected once: \(message)\n\(result.output)")
        #expect(result.output.components(separatedBy: "Usage:").count - 1 <= 1, "\(result.output)")
    }
}
