/// Function and method calls.
extension ExpressionChecker {
    mutating func call(
        _ name: String, receiver: ExpressionSyntax?, arguments: [ExpressionSyntax], _ syntax: ExpressionSyntax
    ) throws(ExpressionError) -> Checked {
        guard let function = ExpressionFunction(rawValue: name) else {
            throw ExpressionError("unknown function '\(name)'", at: syntax.location)
        }
        if function == .has { return try has(receiver: receiver, arguments: arguments, syntax) }
        let all = (receiver.map { [$0] } ?? []) + arguments
        guard all.count == function.arity else {
            let expected = receiver == nil ? function.arity : function.arity - 1
            let noun = expected == 1 ? "argument" : "arguments"
            throw ExpressionError(
                "'\(name)' takes \(expected) \(noun) (\(function.usage)), but was given \(arguments.count)",
                at: syntax.location)
        }
        var checked: [Checked] = []
        for argument in all { checked.append(try check(argument)) }
        if case .constant(.string(let text)) = checked[0].node {
            if function == .duration {
                guard let millis = ExpressionDuration.parse(text) else {
                    throw ExpressionError("\"\(text.prefix(40))\" is not a duration such as \"30m\" or \"1h30m\"",
                                          at: all[0].start)
                }
                return Checked(node: .constant(.duration(millis)), type: .duration)
            }
            if function == .timestamp {
                guard let millis = Timestamp.parse(text) else {
                    throw ExpressionError("\"\(text.prefix(40))\" is not a timestamp such as \"2026-11-22T10:00:00Z\"",
                                          at: all[0].start)
                }
                return Checked(node: .constant(.timestamp(millis)), type: .timestamp)
            }
        }
        let type = try resultType(function, checked, syntax)
        if checked.count == 1 {
            return Checked(node: folded(.call1(function, checked[0].node), children: [checked[0].node]), type: type)
        }
        if function == .contains {
            return Checked(node: membership(needle: checked[1].node, haystack: checked[0].node), type: .bool)
        }
        let children = [checked[0].node, checked[1].node]
        return Checked(node: folded(.call2(function, children[0], children[1]), children: children), type: type)
    }

    /// `has(path)`: whether the path resolves to a non-null value.
    private mutating func has(receiver: ExpressionSyntax?, arguments: [ExpressionSyntax], _ syntax: ExpressionSyntax)
        throws(ExpressionError) -> Checked
    {
        guard receiver == nil else {
            throw ExpressionError("'has' is not a method; write has(event.properties.x)", at: syntax.location)
        }
        guard arguments.count == 1 else {
            throw ExpressionError("'has' takes 1 argument (has(event.properties.x)), but was given \(arguments.count)",
                                  at: syntax.location)
        }
        guard arguments[0].isPath else {
            throw ExpressionError("'has' needs a field path, as in has(event.properties.x)", at: arguments[0].start)
        }
        let checked = try check(arguments[0])
        return Checked(node: folded(.has(checked.node), children: [checked.node]), type: .bool)
    }

    /// The result type over every signature the arguments may fit; throws when none fits.
    private func resultType(_ function: ExpressionFunction, _ arguments: [Checked], _ syntax: ExpressionSyntax)
        throws(ExpressionError) -> ExpressionType
    {
        var result: ExpressionType?
        for signature in function.signatures {
            var fits = true
            for (parameter, argument) in zip(signature.parameters, arguments)
            where !(parameter == .dyn || argument.type == .null || argument.type.admits(parameter)) {
                fits = false
            }
            guard fits else { continue }
            result = result == nil || result == signature.result ? signature.result : .dyn
        }
        guard let result else {
            let types = arguments.map(\.type.description).joined(separator: ", ")
            throw ExpressionError(
                "'\(function.rawValue)' cannot be applied to (\(types)); use \(function.usage)", at: syntax.location)
        }
        return result
    }
}
