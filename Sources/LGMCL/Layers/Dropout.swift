/// Dropout at one site of a model. `site` must be unique within the model (it keys the masks with
/// the step and molecule, so two sites never share a mask); pass the step's `RandomStream` while
/// training and nil in evaluation.
public final class Dropout<Scalar: TensorScalar>: Module {
    public let rate: Scalar
    public let site: UInt32

    public init(_ rate: Scalar, site: UInt32) {
        self.rate = rate
        self.site = site
    }

    public func callAsFunction(_ x: Tensor<Scalar>, _ stream: RandomStream?, rows: MoleculeRows) -> Tensor<Scalar> {
        dropout(x, rate: rate, stream: stream, site: site, rows: rows)
    }
}
