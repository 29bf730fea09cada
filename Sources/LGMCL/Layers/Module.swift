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
        named(Parameter<Scalar>.self).map { (name: $0.name, parameter: $0.object) }
    }

    /// Every dropout of the model under its property path, in declaration order: where each
    /// keyed mask comes from.
    public func namedDropouts() -> [(name: String, dropout: Dropout<Scalar>)] {
        named(Dropout<Scalar>.self).map { (name: $0.name, dropout: $0.object) }
    }

    private func named<T: AnyObject>(_ type: T.Type) -> [(name: String, object: T)] {
        var result: [(name: String, object: T)] = []
        var seen = Set<ObjectIdentifier>()
        collect(T.self, in: self, prefix: "", into: &result, seen: &seen)
        return result
    }

    public func parameters() -> [Parameter<Scalar>] { namedParameters().map(\.parameter) }

    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }

    public func zeroGradients() { for p in parameters() { p.zeroGradient() } }
}

private func collect<T: AnyObject>(
    _ type: T.Type, in value: Any, prefix: String, into result: inout [(name: String, object: T)],
    seen: inout Set<ObjectIdentifier>
) {
    if let object = value as? T {
        if seen.insert(ObjectIdentifier(object)).inserted { result.append((prefix, object)) }
        return
    }
    let mirror = Mirror(reflecting: value)
    let isModule = value is any Module
    switch mirror.displayStyle {
    case .optional:
        if let some = mirror.children.first { collect(T.self, in: some.value, prefix: prefix, into: &result, seen: &seen) }
    case .collection:
        for (i, child) in mirror.children.enumerated() {
            collect(T.self, in: child.value, prefix: join(prefix, "\(i)"), into: &result, seen: &seen)
        }
    case .class where isModule:
        var mirrors: [Mirror] = []
        var current: Mirror? = mirror
        while let m = current { mirrors.insert(m, at: 0); current = m.superclassMirror }
        for m in mirrors {
            for child in m.children {
                guard let label = child.label, !label.hasPrefix("$__lazy") else { continue }
                let name = label.hasPrefix("_") ? String(label.dropFirst()) : label
                collect(T.self, in: child.value, prefix: join(prefix, name), into: &result, seen: &seen)
            }
        }
    default:
        break
    }
}

private func join(_ prefix: String, _ name: String) -> String { prefix.isEmpty ? name : prefix + "." + name }
