import Foundation
import Testing
import TestSupport

extension LayerRules {
    /// LGMCL's layers (docs/architecture.md). A layer may name the types of the layers it lists
    /// and of everything those may use; imports are not inherited.
    static let lgmcl = LayerRules(
        layers: [
            //     layer         builds on
            Layer("Support",   uses: []),
            Layer("Tensor",    uses: ["Support"]),
            Layer("Layers",    uses: ["Tensor"]),
            Layer("Models",    uses: ["Layers"]),
            Layer("Chemistry", uses: ["Support"]),
            Layer("Data",      uses: ["Chemistry"]),
            Layer("RunFiles",  uses: ["Models", "Data"]),
            Layer("Runtime",   uses: ["Tensor"]),
            Layer("Inference", uses: ["RunFiles"]),
            Layer("Training",  uses: ["Inference", "Runtime"]),
        ],
        imports: [
            // module                 the folders whose files may import it
            "CBLAS":                  ["Tensor"],
            "CGemmBF16":              ["Tensor"],
            "CCrypto":                ["Support"],
            "CTargetCPU":             ["Support"],
            "CBuildInfo":             ["Support"],
            "CRDKit":                 ["Chemistry"],
            "CHDF5":                  ["Data/HDF5"],
            "CSV":                    ["Data/Preprocessing", "RunFiles"],
            "CZlib":                  ["Data/Preprocessing", "Training"],
            "FoundationNetworking":   ["Data/Download"],
            "Distributed":            ["Data/Preprocessing", "Runtime", "Inference", "Training"],
            "Logging":                ["Data/Preprocessing", "Runtime", "Inference", "Training"],
        ],
        platformModules: ["Foundation", "Dispatch", "Glibc", "Darwin"],
        allowances: [])
}

struct ArchitectureTests {
    @Test func sourcesKeepTheLayerRules() throws {
        let files = try Self.sources()
        #expect(files.count > 100, "read \(files.count) files under Sources/LGMCL")
        let report = LayerRules.lgmcl.check(files)
        #expect(report.isClean, "Sources/LGMCL breaks the layer rules (ArchitectureTests.swift, docs/architecture.md):\n\(report)")
    }

    // The two mistakes the check exists for, shown failing.

    @Test func aModelsFileImportingDistributedIsReported() {
        let report = LayerRules.lgmcl.check([
            SourceFile(path: "Models/Probe.swift", text: "import Distributed\nimport Foundation\n\nstruct Probe {}\n"),
        ])
        #expect(report.violations.map(\.description) == [
            "Models/Probe.swift:1: Distributed: Models may not import Distributed (only Data/Preprocessing, Runtime, Inference and Training may)",
        ])
    }

    @Test func aDataFileUsingATrainingTypeIsReported() {
        let report = LayerRules.lgmcl.check([
            SourceFile(path: "Training/Pretrainer.swift", text: "public final class Pretrainer {}\n"),
            SourceFile(path: "Data/Probe.swift", text: """
                struct Probe {
                    var trainer: Pretrainer?
                }
                """),
        ])
        #expect(report.violations.map(\.description) == [
            "Data/Probe.swift:2: Pretrainer: Data may not use Training's types (Data may use Support and Chemistry)",
        ])
    }

    // What the check reads and what it leaves out.

    @Test func namesInCommentsStringsAndMembersDoNotCountButInterpolationsDo() {
        let report = LayerRules.lgmcl.check([
            SourceFile(path: "Training/Pretrainer.swift", text: "public final class Pretrainer {}\nstruct Helper {}\n"),
            SourceFile(path: "Data/Probe.swift", text: #"""
                // A Pretrainer in a comment, /* and /* nested */ Pretrainer */ in a block.
                let a = "Pretrainer", b = #"Pretrainer \(Pretrainer)"#, c = """
                    Pretrainer
                    """
                let d = x.Pretrainer, e = 0...Helper.count
                let f = "\(g.map { "\($0) \(Pretrainer.self)" })"
                """#),
        ])
        #expect(report.violations.map(\.description) == [
            "Data/Probe.swift:5: Helper: Data may not use Training's types (Data may use Support and Chemistry)",
            "Data/Probe.swift:6: Pretrainer: Data may not use Training's types (Data may use Support and Chemistry)",
        ])
    }

    @Test func privateAndNestedTypesStayInTheirLayer() {
        let report = LayerRules.lgmcl.check([
            SourceFile(path: "Training/Finetuner.swift", text: """
                private struct Scratch {}
                public struct Finetuner { struct Kind {} }
                extension Finetuner { struct Step {} }
                """),
            SourceFile(path: "Data/Probe.swift", text: "enum Kind {}\nlet s: Scratch, k: Kind, t: Step\n"),
        ])
        #expect(report.violations.isEmpty, "\(report)")
    }

    @Test func filesOutsideTheLayersAndUnlistedModulesAreReported() {
        let report = LayerRules.lgmcl.check([
            SourceFile(path: "Loose.swift", text: "struct Loose {}\n"),
            SourceFile(path: "Tensor/Probe.swift", text: "@testable import NIOCore\n"),
        ])
        #expect(report.violations.map(\.description) == [
            "Loose.swift: top level: not a layer's folder: move the file into one of Support, Tensor, Layers, Models, Chemistry, Data, RunFiles, Runtime, Inference, Training",
            "Tensor/Probe.swift:1: NIOCore: no folder may import NIOCore: give it a row in the import table first",
        ])
    }

    @Test func anAllowanceCoversItsViolationAndIsReportedOnceUnneeded() {
        let rules = LayerRules(
            layers: LayerRules.lgmcl.layers, imports: [:], platformModules: [],
            allowances: [LayerRules.Allowance(path: "Inference", names: ["FinetunedModel", "CSVText"], reason: "moving")])
        let report = rules.check([
            SourceFile(path: "Training/FinetunedModel.swift", text: "public struct FinetunedModel {}\npublic enum CSVText {}\n"),
            SourceFile(path: "Inference/Predictor.swift", text: "let model: FinetunedModel\n"),
        ])
        #expect(report.violations.isEmpty)
        #expect(report.unneededAllowances.map(\.name) == ["CSVText"])
    }

    /// Every Swift file under Sources/LGMCL, tracked or not: the compiler reads them all.
    static func sources() throws -> [SourceFile] {
        let root = repositoryRoot.appendingPathComponent("Sources/LGMCL")
        let paths = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []
        return try paths.filter { $0.hasSuffix(".swift") }.sorted().map { path in
            SourceFile(path: path, text: try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8))
        }
    }
}
