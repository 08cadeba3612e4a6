/// The checks a catalog must pass beyond its structure: that each model's special fields point at
/// parameters of the right type and that each parameter's range, listed values and default agree.
///
/// A default that disagrees with its own parameter is accepted only when the parameter has
/// ``ParameterSpec/notes``: Segmind's pages do contain such oddities (a boolean whose default is
/// `1`), and the catalog keeps them as the page shows them, explained, rather than silently fixed.
enum CatalogConsistency {
    static func problems(in models: [ModelSpec]) -> [String] {
        var problems: [String] = []
        if models.isEmpty { problems.append("the catalog lists no models") }
        var seen: Set<String> = []
        for model in models {
            if !seen.insert(model.slug).inserted {
                problems.append("model '\(model.slug)' is listed twice")
            }
            problems += self.problems(in: model)
        }
        return problems
    }

    private static let slugCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789-_.".utf8)

    static func problems(in model: ModelSpec) -> [String] {
        let context = "model '\(model.slug)'"
        var problems: [String] = []
        // The slug becomes a URL path segment.
        if model.slug.isEmpty || model.slug.hasPrefix(".") || !model.slug.utf8.allSatisfy(slugCharacters.contains) {
            problems.append("\(context): the slug must be lowercase letters, digits, '-', '_' or '.', not starting with '.'")
        }
        if !(model.expectedRunSeconds > 0 && model.expectedRunSeconds.isFinite) {
            problems.append("\(context): expected_run_seconds must be a positive number")
        }
        if let cost = model.costPerRun, !(cost >= 0 && cost.isFinite) {
            problems.append("\(context): cost_per_run must not be negative")
        }

        var names: Set<String> = []
        for parameter in model.parameters where !names.insert(parameter.name).inserted {
            problems.append("\(context): parameter '\(parameter.name)' is listed twice")
        }

        func expect(_ field: String, _ name: String?, _ types: Set<ParameterType>) {
            guard let name else { return }
            guard let parameter = model.parameter(name) else {
                problems.append("\(context): \(field) '\(name)' is not a declared parameter")
                return
            }
            if !types.contains(parameter.type) {
                let expected = types.map(\.rawValue).sorted().joined(separator: " or ")
                problems.append("\(context): \(field) '\(name)' must be a parameter of type \(expected), not \(parameter.type.rawValue)")
            }
        }
        expect("face_field", model.faceField, [.image])
        expect("pose_field", model.poseField, [.image])
        expect("output_count_parameter", model.outputCountParameter, [.integer])
        expect("output_format_parameter", model.outputFormatParameter, [.string])
        expect("width_parameter", model.widthParameter, [.integer])
        expect("height_parameter", model.heightParameter, [.integer])
        if model.poseRequired && model.poseField == nil {
            problems.append("\(context): pose_required is true but pose_field is null")
        }
        if model.poseField == model.faceField {
            problems.append("\(context): pose_field and face_field are the same parameter")
        }
        if (model.widthParameter == nil) != (model.heightParameter == nil) {
            problems.append("\(context): width_parameter and height_parameter must both be set or both be null")
        }
        for (name, value) in model.v2Overrides.sorted(by: { $0.key < $1.key }) {
            guard let parameter = model.parameter(name) else {
                problems.append("\(context): v2_overrides names '\(name)', which is not a declared parameter")
                continue
            }
            for problem in parameter.check(value).problems {
                problems.append("\(context): v2_overrides: \(problem)")
            }
        }
        for parameter in model.parameters {
            problems += self.problems(in: parameter, context: "\(context), parameter '\(parameter.name)'")
        }
        return problems
    }

    private static func problems(in parameter: ParameterSpec, context: String) -> [String] {
        var problems: [String] = []
        if parameter.name.isEmpty { problems.append("\(context): the name is empty") }
        let numeric = parameter.type == .integer || parameter.type == .number
        if !numeric && (parameter.minimum != nil || parameter.maximum != nil) {
            problems.append("\(context): minimum and maximum apply only to integer and number parameters")
        }
        if let low = parameter.minimum, let high = parameter.maximum, low > high {
            problems.append("\(context): minimum \(ParameterSpec.format(low)) is above maximum \(ParameterSpec.format(high))")
        }
        if let allowed = parameter.allowedValues {
            if allowed.isEmpty {
                problems.append("\(context): \"enum\" is empty; leave it out when the page lists no values")
            }
            for value in allowed where !parameter.type.accepts(value) {
                problems.append("\(context): enum value \(value.brief) is not \(parameter.type.article)")
            }
            if Set(allowed).count != allowed.count {
                problems.append("\(context): enum lists a value twice")
            }
        }
        if let value = parameter.defaultValue, parameter.notes == nil {
            for problem in parameter.check(value).problems {
                problems.append(
                    "\(context): default \(value.brief) disagrees with the parameter (\(problem.message)); "
                        + "if the page really says so, explain it in \"notes\""
                )
            }
        }
        return problems
    }
}
