/// Gated cross-attention on pooled vectors, as the LGM-CL authors wrote it (`CrossAttention` in
/// model.py):
///   CA(q, kv) = W_o(σ(⟨W_q q, W_k kv⟩ / √d) · W_v kv)
/// q enters only through one scalar gate per molecule, so the output carries kv's values gated by
/// q. That is the paper's model, kept on purpose (docs/design.md, Gated cross-attention); it is not multi-head attention.
public final class GatedCrossAttention<Scalar: TensorScalar>: Module, StateDictNamed {
    let query: Linear<Scalar>
    let key: Linear<Scalar>
    let value: Linear<Scalar>
    let output: Linear<Scalar>

    static var stateDictNames: [String: String] {
        ["query": "q_proj", "key": "k_proj", "value": "v_proj", "output": "out_proj"]
    }

    init(query queryDims: Int, keyValue keyValueDims: Int, width: Int) {
        query = Linear(queryDims, width)
        key = Linear(keyValueDims, width)
        value = Linear(keyValueDims, width)
        output = Linear(width, width)
    }

    /// q: M × queryDims, kv: M × keyValueDims → M × width.
    func callAsFunction(_ q: Tensor<Scalar>, _ kv: Tensor<Scalar>) -> Tensor<Scalar> {
        let width = Scalar(output.inDims)
        let gate = ((query(q) * key(kv)).sum(axis: 1, keepDims: true) / width.squareRoot()).sigmoid()  // M × 1
        return output(gate * value(kv))
    }
}
