import Foundation
import TestSupport
import Testing

/// 1,000 training steps (forward, backward, dropout, clipping, Adam, an evaluation pass) of a small
/// model in a process of its own (`lgmcl-dist benchmark ops --memory-steps`), so concurrently
/// running tests cannot move its resident memory: after 100 warm-up steps it must stay within 3%.
struct MemoryTests {
    @Test func residentMemoryIsFlatOverAThousandSteps() throws {
        let result = try run(productPath("lgmcl-dist"), ["benchmark", "ops", "--memory-steps", "1000"], timeout: 300)
        #expect(result.status == 0, "\(result.output)")
        guard let line = result.stdout.split(separator: "\n").last,
              let report = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let warm = report["rss_after_warmup_bytes"] as? Int, let final = report["rss_final_bytes"] as? Int,
              let first = report["first_loss"] as? Double, let last = report["last_loss"] as? Double
        else {
            Issue.record("unexpected output: \(result.output)")
            return
        }
        #expect(warm > 0)
        #expect(Double(final) <= Double(warm) * 1.03, "resident memory grew from \(warm) to \(final) bytes")
        // The steps really trained (the loop is not a no-op).
        #expect(last < first / 2, "loss \(first) → \(last)")
    }
}
