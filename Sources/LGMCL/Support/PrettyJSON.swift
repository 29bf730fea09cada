import Foundation

extension JSONEncoder {
    /// The encoder of the JSON files a run writes (settings, manifests, metrics): indented for
    /// reading, keys sorted so that files of two runs diff line by line.
    static var pretty: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }
}
