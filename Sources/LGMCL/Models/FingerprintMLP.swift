/// The fingerprint network (`FPN.MLP` in the authors' model.py): MACCS ‖ PubChem ‖ ErG (1489) →
/// Linear → Dropout → ReLU → Linear.
public final class FingerprintMLP<Scalar: TensorScalar>: Module, StateDictNamed {
    let configuration: FusionConfiguration
    let hidden: Linear<Scalar>
    let output: Linear<Scalar>

    static var stateDictNames: [String: String] { ["hidden": "MLP.0", "output": "MLP.3"] }

    init(_ configuration: FusionConfiguration) {
        self.configuration = configuration
        hidden = Linear(configuration.fingerprintFeatures, configuration.fingerprintHidden)
        output = Linear(configuration.fingerprintHidden, configuration.fingerprintOutput)
    }

    /// `fingerprints`: M × 1489.
    func callAsFunction(_ fingerprints: Tensor<Scalar>, molecules: [Int], _ stream: RandomStream?) -> Tensor<Scalar> {
        let rows = MoleculeRows.molecules(molecules)
        let h = dropout(hidden(fingerprints), configuration.fingerprintDropout, stream, DropoutSite(.fingerprints), rows)
        return output(h.relu())
    }
}
