/// A module whose stored properties are named for Swift readers, with the PyTorch attribute path
/// each one corresponds to in the authors' (or Hugging Face's) module. A path may span several
/// PyTorch levels ("GraphTransformer.encoder.layers"): lgmcl's structure is flatter than theirs.
/// Properties not listed keep their name; an empty path drops the level. An array property's
/// elements are numbered with `stateDictIndexStride` (an `nn.Sequential` of Linear–act–Dropout
/// numbers its Linear layers 0, 3, 6, …).
protocol StateDictNamed {
    static var stateDictNames: [String: String] { get }
    static var stateDictIndexStride: [String: Int] { get }
}

extension StateDictNamed {
    static var stateDictIndexStride: [String: Int] { [:] }
}

extension Module {
    /// The parameters under the names of the equivalent PyTorch state dict, in `namedParameters()`
    /// order: what safetensors files hold, so a state dict of the same architecture loads either way.
    public func stateDict() -> [(name: String, parameter: Parameter<Scalar>)] {
        var names: [ObjectIdentifier: String] = [:]
        collectStateDictNames(of: self, prefix: "", into: &names, as: Scalar.self)
        return namedParameters().map { (names[ObjectIdentifier($0.parameter)] ?? $0.name, $0.parameter) }
    }
}

private func collectStateDictNames<S: TensorScalar>(
    of value: Any, prefix: String, into names: inout [ObjectIdentifier: String], as: S.Type, indexStride: Int = 1
) {
    if let parameter = value as? Parameter<S> {
        let key = ObjectIdentifier(parameter)
        if names[key] == nil { names[key] = prefix }
        return
    }
    let mirror = Mirror(reflecting: value)
    switch mirror.displayStyle {
    case .optional:
        if let some = mirror.children.first { collectStateDictNames(of: some.value, prefix: prefix, into: &names, as: S.self) }
    case .collection:
        for (i, child) in mirror.children.enumerated() {
            collectStateDictNames(of: child.value, prefix: joined(prefix, "\(i * indexStride)"), into: &names, as: S.self)
        }
    case .class where value is any Module:
        let renames = (value as? StateDictNamed).map { type(of: $0).stateDictNames } ?? [:]
        let strides = (value as? StateDictNamed).map { type(of: $0).stateDictIndexStride } ?? [:]
        var mirrors: [Mirror] = []
        var current: Mirror? = mirror
        while let m = current { mirrors.insert(m, at: 0); current = m.superclassMirror }
        for m in mirrors {
            for child in m.children {
                guard let label = child.label, !label.hasPrefix("$__lazy") else { continue }
                let name = label.hasPrefix("_") ? String(label.dropFirst()) : label
                collectStateDictNames(of: child.value, prefix: joined(prefix, renames[name] ?? name),
                                      into: &names, as: S.self, indexStride: strides[name] ?? 1)
            }
        }
    default:
        break
    }
}

private func joined(_ prefix: String, _ name: String) -> String {
    prefix.isEmpty ? name : name.isEmpty ? prefix : prefix + "." + name
}
