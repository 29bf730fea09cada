import ArgumentParser
import Foundation
import LGMCL

/// `lgmcl-dist datasets`: the data the repository does not carry (the pretraining corpus, the
/// LGM-CL authors' descriptions), fetched from upstream into the data directory and checked.
struct Datasets: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Download the datasets lgmcl reads into the data directory, each file checked by SHA-256.",
        discussion: paragraphs("""
            The repository carries data/moleculenet, data/oracles and small samples; the MOSES \
            corpus (pretraining) and the LGM-CL authors' LLM descriptions (benchmark moleculenet \
            --llm-text) are downloaded:

              lgmcl-dist datasets download moses llm-text     # into data/
              lgmcl-dist datasets list                        # present or missing

            data/README.md lists every file, its upstream and its licence.
            """),
        subcommands: [DatasetsDownload.self, DatasetsList.self]
    )
}

struct DatasetSource: ParsableArguments {
    @Option(name: .customLong("to"), help: "The data directory (what benchmark moleculenet --data-dir reads).")
    var directory = "data"

    @Option(help: ArgumentHelp("A catalogue JSON in place of the built-in one (datasets list --json prints the built-in one).",
                               valueName: "file"))
    var catalogue: String?

    func loadCatalogue() throws -> DatasetCatalogue {
        try catalogue.map { try DatasetCatalogue(contentsOf: URL(fileURLWithPath: $0)) } ?? .standard
    }
}

struct DatasetsDownload: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Fetch datasets (moses, llm-text, moleculenet) into the data directory.",
        discussion: paragraphs("""
            Each file is checked against the size and SHA-256 the catalogue records, for what \
            upstream serves and for the file made from it, and only then renamed into place. A \
            file already there with the right hash is skipped; a transfer cut off part-way \
            resumes where it stopped (HTTP Range) when the command is run again. A wrong \
            checksum, an HTML page or Git LFS pointer in place of the file, a short file or an \
            HTTP error stops the command with the URL and the reason, and leaves no file behind.
            """)
    )

    @Argument(help: "Dataset names (datasets list shows them).")
    var names: [String]

    @OptionGroup var source: DatasetSource

    @Option(help: ArgumentHelp("Copy from a local directory laid out like the data directory (moleculenet/, pretrain/, llm_text/) instead of the network; checked the same way.",
                               valueName: "directory"))
    var mirror: String?

    func validate() throws {
        if names.isEmpty { throw ValidationError("name at least one dataset: \(DatasetCatalogue.standard.names.joined(separator: ", "))") }
    }

    func run() throws {
        let catalogue = try source.loadCatalogue()
        let datasets = try names.map { try catalogue.dataset(named: $0) }
        let installer = DatasetInstaller(directory: URL(fileURLWithPath: source.directory),
                                         mirror: mirror.map { URL(fileURLWithPath: $0) },
                                         report: { FileHandle.standardError.write(Data(($0.hasSuffix("\n") || $0.hasPrefix("\r") ? $0 : $0 + "\n").utf8)) })
        for dataset in datasets {
            try installer.install(dataset)
        }
        print("datasets: \(names.joined(separator: ", ")) in \(source.directory)")
    }
}

struct DatasetsList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "The catalogue's datasets and whether each file is in the data directory."
    )

    @OptionGroup var source: DatasetSource

    @Flag(help: "Print the catalogue as JSON (the shape --catalogue reads) instead.")
    var json = false

    func run() throws {
        let catalogue = try source.loadCatalogue()
        if json {
            print(String(decoding: try catalogue.jsonData(), as: UTF8.self))
            return
        }
        let installer = DatasetInstaller(directory: URL(fileURLWithPath: source.directory), report: { _ in })
        for dataset in catalogue.datasets {
            print("\(dataset.name): \(dataset.summary)")
            for file in dataset.files {
                let state: String
                if installer.isInstalled(file) {
                    state = "present"
                } else if FileManager.default.fileExists(atPath: installer.target(of: file).path) {
                    state = "differs from the catalogue"
                } else {
                    state = "missing"
                }
                print("  \(source.directory)/\(file.path)  \(file.sizeDescription)  \(state)")
            }
        }
    }
}
