import Foundation
import LGMCL
import TestSupport
import Testing

struct FeaturizeBenchmarkTests {
    @Test func profileCountsMoleculesRejectsAndEveryPart() throws {
        let vocabulary = Vocabulary.build(smiles: ["CCO"], descriptions: ["a b"], size: 50)
        var profile = FeaturizationProfile()
        profile.measure(["CCO", "C1CC", "c1ccccc1O"], tokenizer: Tokenizer(vocabulary: vocabulary), maxTokens: (32, 64))
        #expect(profile.molecules == 2 && profile.rejected == 1)
        #expect(Set(profile.seconds.keys) == Set(FeaturizationProfile.parts))
        #expect(profile.moleculesPerSecond > 0)
    }

    @Test func commandReportsMoleculesPerSecond() throws {
        let result = try run(productPath("lgmcl-dist"), [
            "benchmark", "featurize", "--input", repositoryData.appendingPathComponent("moleculenet/freesolv.csv").path,
            "--molecules", "50", "--json",
        ], timeout: 120)
        #expect(result.status == 0, "\(result.output)")
        let last = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let object = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]
        #expect((object?["molecules"] as? NSNumber)?.intValue == 50)
        #expect(((object?["molecules_per_second"] as? NSNumber)?.doubleValue ?? 0) > 0)

        let missing = try run(productPath("lgmcl-dist"), ["benchmark", "featurize", "--input", "/nonexistent.csv"])
        #expect(missing.status != 0 && missing.output.contains("/nonexistent.csv"))
    }
}
