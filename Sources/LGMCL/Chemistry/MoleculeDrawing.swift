import CRDKit
import Foundation

extension Molecule {
    /// An RGB colour with components in 0...1.
    public struct Colour: Equatable, Sendable {
        public var red, green, blue: Double
        public init(red: Double, green: Double, blue: Double) {
            self.red = red
            self.green = green
            self.blue = blue
        }
    }

    /// RDKit's 2D depiction as SVG text, each atom (RDKit's order) highlighted in its colour when
    /// `atomColours` is given, `legend` below the drawing.
    public func svg(width: Int = 300, height: Int = 300, atomColours: [Colour]? = nil, legend: String = "") throws -> String {
        if let atomColours {
            precondition(atomColours.count == atomCount, "Molecule.svg: \(atomColours.count) colours for \(atomCount) atoms")
        }
        var message: UnsafeMutablePointer<CChar>?
        let rgb = atomColours?.flatMap { [$0.red, $0.green, $0.blue] }
        let text = rgb.map { values in
            values.withUnsafeBufferPointer { crdkit_mol_draw_svg(handle, UInt32(width), UInt32(height), $0.baseAddress, legend, &message) }
        } ?? crdkit_mol_draw_svg(handle, UInt32(width), UInt32(height), nil, legend, &message)
        guard let text else {
            throw MoleculeError(reason: takeRDKitMessage(message, otherwise: "RDKit could not draw the molecule"))
        }
        defer { crdkit_free_string(text) }
        return String(cString: text)
    }
}
