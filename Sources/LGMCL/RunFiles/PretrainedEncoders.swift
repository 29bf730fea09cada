import Foundation

/// The encoder files of a pretraining output directory — what `finetune --pretrained` loads and
/// `embed`/`predict` read: graph.safetensors (AttentiveFP and the graph transformer, stage graph),
/// graph-self.safetensors (AttentiveFP alone, the positive control), text.safetensors (DeBERTa).
public struct PretrainedEncoders {
    public enum Stage: String, CaseIterable, Sendable {
        case graph
        case graphSelf = "graph-self"
        case text

        /// The model components the stage's file holds.
        public func components<Scalar>(of _: LGMCLModel<Scalar>.Type = LGMCLModel<Scalar>.self) -> [LGMCLModel<Scalar>.Component] {
            switch self {
            case .graph: [.local, .global]
            case .graphSelf: [.local]
            case .text: [.text]
            }
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The stages present, with their files, in `Stage` order.
    public let files: [(stage: Stage, url: URL)]

    /// Every encoder a stage can hold, whether or not this directory has it.
    public static func allComponents<Scalar>(_: LGMCLModel<Scalar>.Type = LGMCLModel<Scalar>.self) -> [LGMCLModel<Scalar>.Component] {
        Stage.allCases.flatMap { $0.components(of: LGMCLModel<Scalar>.self) }.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    }

    /// The files of `directory`; an error when none is there, or when both graph stages are (each
    /// holds a local encoder, and which one was meant cannot be told).
    public init(directory: URL) throws {
        let run = RunDirectory(directory)
        files = Stage.allCases.map { ($0, run.encoders(stage: $0.rawValue)) }.filter { FileManager.default.fileExists(atPath: $0.1.path) }
        let stages = files.map(\.stage)
        guard !(stages.contains(.graph) && stages.contains(.graphSelf)) else {
            throw Failure(description: "\(directory.path): both graph.safetensors and graph-self.safetensors hold a local encoder; give each stage its own --output")
        }
        guard !files.isEmpty else {
            throw Failure(description: "\(directory.path): neither graph.safetensors nor text.safetensors is there (run `lgmcl-dist pretrain --stage graph|text --output \(directory.path)`)")
        }
    }
}
