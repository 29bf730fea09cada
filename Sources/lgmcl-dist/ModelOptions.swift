import ArgumentParser
import Foundation
import LGMCL

/// How the model is sized: a preset, optionally a configuration file, then per-field overrides.
struct ModelOptions: ParsableArguments {
    @Option(help: "Model size: tiny (tests, demo), small (CPU-sized, default) or paper (the authors' dimensions).")
    var preset: Preset = .small

    @Option(help: "A model configuration JSON (as written beside weights) to start from instead of the preset.")
    var config: String?

    @Option(name: .customLong("set"), parsing: .upToNextOption,
            help: "Per-dimension overrides of the configuration, e.g. --set graphTransformer.heads=8 text.layers=2.")
    var overrides: [String] = []

    /// A bad --config or --set is reported while the arguments are parsed, before MPI starts.
    func validate() throws {
        do {
            _ = try configuration()
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// `adjust` changes the preset's configuration (not a --config file's) before --set applies.
    func configuration(startingFromPreset adjust: (inout ModelConfiguration) -> Void = { _ in }) throws -> ModelConfiguration {
        var base: ModelConfiguration
        if let config {
            base = try ModelConfiguration.load(from: URL(fileURLWithPath: config))
        } else {
            base = ModelConfiguration(preset: preset)
            adjust(&base)
        }
        var pairs: [String: String] = [:]
        for item in overrides {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--set \(item): expected path=value") }
            pairs[parts[0]] = parts[1]
        }
        return try base.overriding(pairs)
    }
}
