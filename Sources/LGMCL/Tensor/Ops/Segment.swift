/// Reductions over segments of axis 0 given by CSR offsets (segment s = rows offsets[s]..<offsets[s+1]):
/// atoms of a molecule, incoming edges of an atom, tokens of a text. Empty segments give 0.
///   segmentSum:  y[s] = Σ_{r∈s} x[r]            dx[r] += dy[s(r)]
///   segmentMax:  y[s] = x[r*]                   dx[r*] += dy[s]          (per column)
///   segmentSoftmax: y[r] = exp(x[r] − m_s) / Σ_{r'∈s} exp(x[r'] − m_s)  per column,
///                dx[r] += y[r]·(dy[r] − Σ_{r'∈s} y[r']·dy[r'])
/// segmentSoftmax is one kernel, not exp/segmentSum/gather/div: why — the neighbour softmax of
/// every AttentiveFP layer would otherwise save four edge-sized tensors and lose the max shift
/// that keeps exp from overflowing.
extension Tensor {
    func checkOffsets(_ offsets: [Int], _ op: String) {
        precondition(!offsets.isEmpty && offsets.first == 0 && offsets.last == (rank == 0 ? 1 : shape[0]),
                     "\(op): offsets must run from 0 to \(shape.first ?? 1), got \(offsets.prefix(4))…\(offsets.last ?? -1)")
        for s in 0..<(offsets.count - 1) where offsets[s + 1] < offsets[s] {
            preconditionFailure("\(op): offsets decrease at segment \(s)")
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func segmentSum(offsets: [Int]) -> Tensor {
        checkOffsets(offsets, "segmentSum")
        let segments = offsets.count - 1
        let width = shape.dropFirst().reduce(1, *)
        var outShape = shape
        outShape[0] = segments
        let out = TensorStorage<Scalar>(zeros: segments * width)
        let x = storage.base, y = out.base
        for s in 0..<segments {
            let dst = y + s * width
            for r in offsets[s]..<offsets[s + 1] {
                let src = x + r * width
                for c in 0..<width { dst[c] += src[c] }
            }
        }
        return Tensor.result(shape: outShape, storage: out, inputs: [self]) { grad, sink in
            guard let dx = sink[0]?.baseAddress else { return }
            let g = grad.baseAddress!
            for s in 0..<segments {
                let src = g + s * width
                for r in offsets[s]..<offsets[s + 1] {
                    let dst = dx + r * width
                    for c in 0..<width { dst[c] += src[c] }
                }
            }
        }
    }

    /// Mean per segment; an empty segment gives 0.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func segmentMean(offsets: [Int]) -> Tensor {
        let counts = (0..<(offsets.count - 1)).map { Scalar(Swift.max(offsets[$0 + 1] - offsets[$0], 1)) }
        var countShape = [counts.count]
        countShape += Array(repeating: 1, count: Swift.max(rank - 1, 0))
        return segmentSum(offsets: offsets) / Tensor(counts, shape: countShape)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func segmentMax(offsets: [Int]) -> Tensor {
        checkOffsets(offsets, "segmentMax")
        let segments = offsets.count - 1
        let width = shape.dropFirst().reduce(1, *)
        var outShape = shape
        outShape[0] = segments
        let out = TensorStorage<Scalar>(zeros: segments * width)
        var argmax = [Int](repeating: -1, count: segments * width)
        let x = storage.base, y = out.base
        for s in 0..<segments where offsets[s + 1] > offsets[s] {
            for c in 0..<width {
                var best = x[offsets[s] * width + c], at = offsets[s]
                for r in offsets[s]..<offsets[s + 1] where x[r * width + c] > best {
                    best = x[r * width + c]
                    at = r
                }
                y[s * width + c] = best
                argmax[s * width + c] = at
            }
        }
        return Tensor.result(shape: outShape, storage: out, inputs: [self]) { grad, sink in
            guard let dx = sink[0]?.baseAddress else { return }
            let g = grad.baseAddress!
            for j in 0..<(segments * width) where argmax[j] >= 0 {
                dx[argmax[j] * width + j % width] += g[j]
            }
        }
    }

    /// Softmax over the rows of each segment, independently per column (e.g. per head).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func segmentSoftmax(offsets: [Int]) -> Tensor {
        checkOffsets(offsets, "segmentSoftmax")
        let segments = offsets.count - 1
        let width = shape.dropFirst().reduce(1, *)
        let out = TensorStorage<Scalar>(uninitializedCount: count)
        let x = storage.base, y = out.base
        for s in 0..<segments where offsets[s + 1] > offsets[s] {
            let rows = offsets[s]..<offsets[s + 1]
            for c in 0..<width {
                var m = -Scalar.infinity
                for r in rows { m = Swift.max(m, x[r * width + c]) }
                if m == -Scalar.infinity {
                    for r in rows { y[r * width + c] = 0 }
                    continue
                }
                var total: Scalar = 0
                for r in rows {
                    let e = Scalar.exp(x[r * width + c] - m)
                    y[r * width + c] = e
                    total += e
                }
                let inv = 1 / total
                for r in rows { y[r * width + c] *= inv }
            }
        }
        return Tensor.result(shape: shape, storage: out, inputs: [self]) { grad, sink in
            guard let dx = sink[0]?.baseAddress else { return }
            let g = grad.baseAddress!, y = out.base
            for s in 0..<segments where offsets[s + 1] > offsets[s] {
                let rows = offsets[s]..<offsets[s + 1]
                for c in 0..<width {
                    var dot: Scalar = 0
                    for r in rows { dot += y[r * width + c] * g[r * width + c] }
                    for r in rows { dx[r * width + c] += y[r * width + c] * (g[r * width + c] - dot) }
                }
            }
        }
    }
}
