/// A layer or model: an object whose stored properties hold its parameters and sublayers.
/// Parameters are found by reflection over the stored properties, in declaration order, so
/// names are stable and hierarchical (`transformer.layers.0.attention.query.weight`) and the order
/// is fixed: every rank enumerates the same parameters in the same order, which bucketed
/// allreduce and checkpoints rely on. Arrays of modules are numbered, optionals skipped when nil,
/// and a parameter reachable twice (shared weights) is listed once, under its first name.
public protocol Module: AnyObject {
    associatedtype Scalar: TensorScalar
}

extension Module {
    public func namedParameters() -> [(name: String, parameter: Parameter<Scalar>)] {
        var result: [(name: String, parameter: Parameter<Scalar>)] = []
        var seen = Set<ObjectIdentifier>()
        collectParameters(of: self, prefix: "", into: &result, seen: &seen)
        return result
    }

    public func parameters() -> [Parameter<Scalar>] { namedParameters().map(\.parameter) }

    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }

    public func zeroGradients() { for p in parameters() { p.zeroGradient() } }
}

private func collectParameters<S>(
    of value: Any, prefix: String, into result: inout [(name: String, parameter: Parameter<S>)],
    seen: inout Set<ObjectIdentifier>
) {
    if let parameter = value as? Parameter<S> {
        if seen.insert(ObjectIdentifier(parameter)).inserted { result.append((prefix, parameter)) }
        return
    }
    let mirror = Mirror(reflecting: value)
    let isModule = value is any Module
    switch mirror.displayStyle {
    case .optional:
        if let some = mirror.children.first { collectParameters(of: some.value, prefix: prefix, into: &result, seen: &seen) }
    case .collection:
        for (i, child) in mirror.children.enumerated() {
            collectParameters(of: child.value, prefix: join(prefix, "\(i)"), into: &result, seen: &seen)
        }
    case .class where isModule:
        var mirrors: [Mirror] = []
        var current: Mirror? = mirror
        while let m = current { mirrors.insert(m, at: 0); current = m.superclassMirror }
        for m in mirrors {
            for child in m.children {
                guard let label = child.label, !label.hasPrefix("$__lazy") else { continue }
                let name = label.hasPrefix("_") ? String(label.dropFirst()) : label
                collectParameters(of: child.value, prefix: join(prefix, name), into: &result, seen: &seen)
            }
        }
    default:
        break
    }
}

private func join(_ prefix: String, _ name: String) -> String { prefix.isEmpty ? name : prefix + "." + name }
