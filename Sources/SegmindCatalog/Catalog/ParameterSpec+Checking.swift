import StrictJSON

extension ParameterSpec {
    /// Checks one value against the parameter's type, range and listed values.
    ///
    /// Returns the value as it should be sent (an integer parameter given `4.0` sends `4`) and every
    /// problem found; a value of the wrong type is not checked further.
    func check(_ value: JSONValue) -> (value: JSONValue, problems: [ValidationIssue]) {
        guard type.accepts(value) else {
            return (value, [issue(.wrongType, "expected \(type.article), got \(value.kindDescription) (\(value.brief))")])
        }
        var normalized = value
        var problems: [ValidationIssue] = []
        switch type {
        case .integer:
            if let integer = value.int64Value { normalized = .integer(integer) }
            problems += rangeProblems(normalized)
        case .number:
            problems += rangeProblems(normalized)
        case .image:
            if value.stringValue?.isEmpty == true {
                problems.append(issue(.wrongType, "expected \(type.article), got an empty string"))
            }
        case .string, .boolean:
            break
        }
        if let allowedValues, !allowedValues.contains(where: { Self.same($0, normalized) }) {
            let list = allowedValues.map(\.brief).joined(separator: ", ")
            problems.append(issue(.notInEnum, "\(normalized.brief) is not one of the allowed values: \(list)"))
        }
        return (normalized, problems)
    }

    /// The range as text ("between 1 and 10", "at least 0"), or `nil` without bounds.
    var rangeDescription: String? {
        switch (minimum, maximum) {
        case (let low?, let high?): "between \(Self.format(low)) and \(Self.format(high))"
        case (let low?, nil): "at least \(Self.format(low))"
        case (nil, let high?): "at most \(Self.format(high))"
        case (nil, nil): nil
        }
    }

    private func rangeProblems(_ value: JSONValue) -> [ValidationIssue] {
        guard let range = rangeDescription else { return [] }
        let belowMinimum = minimum.map { Self.compare(value, $0) < 0 } ?? false
        let aboveMaximum = maximum.map { Self.compare(value, $0) > 0 } ?? false
        guard belowMinimum || aboveMaximum else { return [] }
        return [issue(.outOfRange, "\(value.brief) is out of range: must be \(range)")]
    }

    private func issue(_ code: IssueCode, _ message: String) -> ValidationIssue {
        ValidationIssue(field: name, code: code, message: message)
    }

    /// Compares a number with a bound, exactly for integers against whole bounds (seeds reach
    /// 999999999999999, where `Double` arithmetic would be risky).
    private static func compare(_ value: JSONValue, _ bound: Double) -> Int {
        if case .integer(let integer) = value, let whole = Int64(exactly: bound) {
            return integer < whole ? -1 : (integer > whole ? 1 : 0)
        }
        let number = value.doubleValue ?? 0
        return number < bound ? -1 : (number > bound ? 1 : 0)
    }

    /// Equality for listed values: numbers compare by value, so `1` matches `1.0`.
    private static func same(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        if let left = lhs.doubleValue, let right = rhs.doubleValue { return left == right }
        return lhs == rhs
    }

    /// A bound as people write it: `10`, not `10.0`.
    static func format(_ bound: Double) -> String {
        if let whole = Int64(exactly: bound) { return String(whole) }
        return bound.description
    }
}

extension JSONValue {
    /// The value as compact JSON, cut short for messages: a hostile sidecar may hold a megabyte.
    var brief: String {
        let text = serializedString()
        guard text.count > 60 else { return text }
        return String(text.prefix(57)) + "…"
    }
}
