import ArgumentParser
import Foundation
import LGMCL

/// How the model is sized: a preset, optionally a configuration file, then per-field overrides.
struct ModelOptions: ParsableArguments {
    @Option(help: "Model size: tiny (tests, demo), small (CPU-sized, the default) or paper (the authors' dimensions). With --config (or finetune's --pretrained) the file sets it.")
    var preset: Preset?

    @Option(help: "A model configuration JSON (as written beside weights) to start from instead of the preset.")
    var config: String?

    @Option(name: .customLong("set"), parsing: .upToNextOption,
            help: "Per-dimension overrides of the configuration, e.g. --set graphTransformer.heads=8 text.layers=2.")
    var overrides: [String] = []

    func validate() throws { try validate(pretrained: nil) }

    /// A bad --config, --set or pretrained config.json is reported while the arguments are parsed,
    /// before MPI starts.
    func validate(pretrained: String?) throws {
        do {
            _ = try configuration(pretrained: pretrained)
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The configuration the run starts from: a --config file, else the configuration a pretraining
    /// run wrote beside its encoders (so the encoders load), else the preset. `adjust` (a recipe's
    /// fine-tuning choices) changes a preset's or a pretraining run's configuration, not a --config
    /// file's, whose were chosen for it; --set applies last, to any.
    func configuration(pretrained: String? = nil,
                       adjusting adjust: (inout ModelConfiguration) -> Void = { _ in }) throws -> ModelConfiguration {
        var base: ModelConfiguration
        if let config {
            base = try configuration(in: URL(fileURLWithPath: config), namedBy: "--config \(config)")
        } else if let pretrained {
            let url = RunDirectory(path: pretrained).configuration
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw ValidationError("--pretrained \(pretrained): no config.json (is it the output directory of `lgmcl-dist pretrain`?)")
            }
            base = try configuration(in: url, namedBy: "--pretrained \(pretrained)")
            adjust(&base)
        } else {
            base = ModelConfiguration(preset: preset ?? .small)
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

    /// A configuration file's; a --preset naming another size is an error rather than ignored.
    private func configuration(in url: URL, namedBy flag: String) throws -> ModelConfiguration {
        let configuration = try ModelConfiguration.load(from: url)
        if let preset, preset.rawValue != configuration.preset {
            throw ValidationError("--preset \(preset.rawValue) and \(flag), a '\(configuration.preset)' model: "
                + "its configuration sets the model's size; leave --preset out")
        }
        return configuration
    }
}
