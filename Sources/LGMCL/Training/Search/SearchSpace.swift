import Foundation

/// The hyperparameters `hpopt` searches: each with its range, its scale and the fine-tuning setting
/// it sets. The defaults span what chemprop's search and the paper's recipe vary for a model
/// of this kind; `--search` narrows them to a subset.
public struct SearchSpace: Sendable {
    public enum Parameter: String, CaseIterable, Sendable {
        case learningRate = "lr"
        case encoderLearningRate = "encoder-lr"
        case weightDecay = "weight-decay"
        case predictionDropout = "prediction-dropout"
        case fingerprintDropout = "fingerprint-dropout"
        case batchSize = "batch-size"
        case learningRateSchedule = "lr-schedule"
        case emaDecay = "ema-decay"
        case fusion
        /// Searched only when named: a default that grew would change what a resumed search draws.
        case readout

        /// What `--search` searches when not given.
        public static let searchedByDefault = allCases.filter { $0 != .readout }

        public var domain: Domain {
            switch self {
            case .learningRate: .logUniform(1e-4, 3e-3)
            case .encoderLearningRate: .logUniform(1e-5, 1e-3)
            case .weightDecay: .logUniform(1e-6, 1e-2)
            case .predictionDropout, .fingerprintDropout: .uniform(0, 0.5)
            case .batchSize: .choice([32, 64, 128])
            // 0: no average (the decay of the weights themselves).
            case .emaDecay: .choice([0, 0.9, 0.99, 0.999])
            // Named choices are searched by index.
            case .learningRateSchedule, .fusion, .readout: .choice(labels!.indices.map(Double.init))
            }
        }

        /// Schedules drawn by `lr-schedule`: constant, or warm-up and decay peaking at the trial's lr.
        static let schedules = FinetuneScheduleKind.allCases
        /// Every fusion: the paper's gated one, the residual one and the residual one with the
        /// fingerprint vector beside it (the default recipe's).
        static let fusionModes = FusionMode.allCases
        /// Both graph encoders pool by the mean (the authors') or by the norm (chemprop's).
        static let readouts: [GraphReadout] = [.mean, .norm]

        /// The names of a named choice's values, by index; nil for numbers.
        var labels: [String]? {
            switch self {
            case .learningRateSchedule: Self.schedules.map(\.rawValue)
            case .fusion: Self.fusionModes.map(\.rawValue)
            case .readout: Self.readouts.map(\.rawValue)
            default: nil
            }
        }

        /// The fine-tuning setting this value sets.
        public func apply(_ value: Double, to settings: inout FinetuneSettings) {
            switch self {
            case .learningRate: settings.learningRate = value
            case .encoderLearningRate: settings.encoderLearningRate = value
            case .weightDecay: settings.weightDecay = value
            case .predictionDropout: settings.model.fusion.predictionDropout = value
            case .fingerprintDropout: settings.model.fusion.fingerprintDropout = value
            case .batchSize: settings.globalBatchSize = Int(value)
            case .learningRateSchedule:
                // Warm-up and decay keep the run's own --warmup-epochs, --init-lr and --final-lr when it gave them.
                if Self.schedules[Int(value)] == .constant {
                    settings.learningRateSchedule = .constant
                } else if (settings.learningRateSchedule ?? .constant) == .constant {
                    settings.learningRateSchedule = .chempropDefaults
                }
            case .emaDecay: settings.emaDecay = value == 0 ? nil : value
            case .fusion: settings.model.fusion.mode = Self.fusionModes[Int(value)]
            case .readout: settings.model.setGraphReadout(Self.readouts[Int(value)])
            }
        }

        /// The value as trials.csv and the `finetune` command write it: a schedule by name, an
        /// integral value (a batch size, no average) as an integer, any other value as the shortest
        /// text that reads back to the same bits (a resumed search draws exactly what the first
        /// attempt drew).
        public func text(_ value: Double) -> String {
            if let labels { return labels[Int(value)] }
            // Batch sizes, and no average: integers, as finetune's flags read them.
            return value == value.rounded() ? String(Int(value)) : "\(value)"
        }

        /// The value `text` wrote; nil for text it never writes.
        public func value(_ text: String) -> Double? {
            guard let labels else { return Double(text) }
            return labels.firstIndex(of: text).map(Double.init)
        }

        /// The `finetune` flag that sets it, or nil for the fields of the model configuration
        /// (`--config`).
        public var flag: String? {
            switch self {
            case .predictionDropout, .fingerprintDropout: nil
            default: "--" + rawValue
            }
        }
    }

    /// Where a parameter's values come from. Continuous ones are searched on their own scale
    /// (log for learning rates and weight decay), choices by index.
    public enum Domain: Sendable, Equatable {
        case uniform(Double, Double)
        case logUniform(Double, Double)
        case choice([Double])

        /// The value's coordinate in the search: log for log-uniform, the index of a choice.
        func coordinate(_ value: Double) -> Double {
            switch self {
            case .uniform: value
            case .logUniform: Foundation.log(value)
            case .choice(let values): Double(values.firstIndex(of: value) ?? 0)
            }
        }

        func value(_ coordinate: Double) -> Double {
            switch self {
            case .uniform: coordinate
            case .logUniform: exp(coordinate)
            case .choice(let values): values[Int(coordinate)]
            }
        }

        /// The interval continuous coordinates range over.
        var bounds: ClosedRange<Double> {
            switch self {
            case .uniform(let low, let high): low ... high
            case .logUniform(let low, let high): Foundation.log(low) ... Foundation.log(high)
            case .choice(let values): 0 ... Double(values.count - 1)
            }
        }
    }

    public var parameters: [Parameter]

    public init(parameters: [Parameter] = Parameter.searchedByDefault) { self.parameters = parameters }

    /// Every global batch size a trial may use: the searched ones, else the run's `fixed` one.
    public func batchSizes(otherwise fixed: Int) -> [Int] {
        guard parameters.contains(.batchSize), case .choice(let values) = Parameter.batchSize.domain else { return [fixed] }
        return values.map { Int($0) }
    }

    /// Parses `--search lr,weight-decay,…`; an unknown name is an error listing the known ones.
    public init(names: String) throws {
        parameters = try names.split(separator: ",").map { name in
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let parameter = Parameter(rawValue: trimmed) else {
                throw SearchError(description: "--search: unknown hyperparameter '\(trimmed)' (known: \(Parameter.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return parameter
        }
        guard !parameters.isEmpty else { throw SearchError(description: "--search: no hyperparameter named") }
    }
}

public struct SearchError: Error, CustomStringConvertible {
    public let description: String
}
