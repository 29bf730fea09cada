import Foundation
import LGMCL
import Testing

struct CheckpointStoreTests {
    let run = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("lgmcl-ckpt-\(UUID().uuidString)")

    func manifest(step: Int) -> CheckpointManifest {
        CheckpointManifest(stage: "graph", preset: "tiny", vocabularySHA256: nil, ranks: 2, globalBatch: 8, seed: 7,
                           position: TrainingPosition(step: step, epoch: 0, batchInEpoch: step))
    }

    func files(_ step: Int) -> [(name: String, contents: Data)] {
        [("model.safetensors", Data(repeating: UInt8(step), count: 1000 + step)), ("state.json", Data("{\"step\":\(step)}".utf8))]
    }

    @Test func newestIsTheLastGoodOne() throws {
        defer { try? FileManager.default.removeItem(at: run) }
        var store = CheckpointStore(runDirectory: run, keep: 5)
        store.keep = 5
        for step in [10, 20, 30] { try store.save(files(step), manifest: manifest(step: step)) }
        let newest = try #require(store.newest())
        #expect(newest.manifest.position.step == 30)
        #expect(try newest.contents(of: "model.safetensors") == files(30)[0].contents)
        #expect(newest.manifest.files.map(\.name) == ["model.safetensors", "state.json"])

        // A truncated file in the newest checkpoint: it is skipped, with the reason.
        let damaged = newest.directory.appendingPathComponent("model.safetensors")
        try Data(repeating: 30, count: 10).write(to: damaged)
        var reasons: [String] = []
        let fallback = try #require(store.newest { reasons.append($0) })
        #expect(fallback.manifest.position.step == 20)
        #expect(reasons.count == 1 && reasons[0].contains("model.safetensors is damaged"), "\(reasons)")

        // Same size, different bytes: the checksum catches it.
        try Data(repeating: 99, count: 1020).write(to: fallback.directory.appendingPathComponent("model.safetensors"))
        #expect(store.newest()?.manifest.position.step == 10)
    }

    @Test func partialWritesAreInvisible() throws {
        defer { try? FileManager.default.removeItem(at: run) }
        let store = CheckpointStore(runDirectory: run)
        try store.save(files(1), manifest: manifest(step: 1))
        // A writer that died mid-checkpoint leaves only a temporary directory.
        let leftover = store.directory.appendingPathComponent(".tmp-step-00000002-99999")
        try FileManager.default.createDirectory(at: leftover, withIntermediateDirectories: true)
        try files(2)[0].contents.write(to: leftover.appendingPathComponent("model.safetensors"))
        // A checkpoint directory without its manifest (e.g. copied by hand) is not accepted.
        let headless = store.directory.appendingPathComponent("step-00000003")
        try FileManager.default.createDirectory(at: headless, withIntermediateDirectories: true)
        #expect(store.newest()?.manifest.position.step == 1)
        // The next save clears the leftover.
        try store.save(files(4), manifest: manifest(step: 4))
        #expect(!FileManager.default.fileExists(atPath: leftover.path))
    }

    @Test func onlyTheNewestAreKept() throws {
        defer { try? FileManager.default.removeItem(at: run) }
        let store = CheckpointStore(runDirectory: run, keep: 2)
        for step in 1 ... 5 { try store.save(files(step), manifest: manifest(step: step)) }
        let names = try FileManager.default.contentsOfDirectory(atPath: store.directory.path).sorted()
        #expect(names == ["step-00000004", "step-00000005"])
    }
}
