import ArgumentParser
import SegmindCatalog
import StrictJSON

/// `facedrop models`: the model catalog, as text or JSON.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the supported Segmind models and their parameters."
    )

    @Flag(help: "Print the catalog as JSON.")
    var json = false

    @Argument(help: "Show only this model.")
    var model: String?

    func run() throws {
        let catalog: ModelCatalog
        do {
            catalog = try ModelCatalog.bundled()
        } catch {
            print("facedrop: \(error)")
            throw ExitStatus.config
        }
        var models = catalog.models
        if let model {
            guard let spec = catalog.model(model) else {
                print("facedrop: unknown model \(model); known: \(catalog.slugs.joined(separator: ", "))")
                throw ExitStatus.usage
            }
            models = [spec]
        }
        if json {
            print(JSONValue.array(models.map(\.summary)).serializedString(pretty: true))
            return
        }
        for spec in models {
            print("\(spec.slug) — \(spec.title)")
            print("  face: \(spec.faceField)" + (spec.poseField.map { ", pose: \($0)" + (spec.poseRequired ? " (required)" : " (optional)") } ?? ""))
            print("  usual run time: \(spec.expectedRunSeconds) s" + (spec.costPerRun.map { ", about $\($0) a run" } ?? ""))
            for parameter in spec.parameters where parameter.type != .image {
                var line = "  - \(parameter.name): \(parameter.type.rawValue)"
                if parameter.required { line += ", required" }
                if let minimum = parameter.minimum, let maximum = parameter.maximum { line += ", \(Self.number(minimum))…\(Self.number(maximum))" }
                if let values = parameter.allowedValues { line += ", one of \(values.map(\.description).joined(separator: " "))" }
                if let value = parameter.defaultValue { line += ", default \(value)" }
                print(line)
            }
        }
    }
}

extension ModelsCommand {
    /// A range bound without a needless `.0`.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

extension ModelSpec {
    /// What `facedrop models --json` prints for one model.
    var summary: JSONValue {
        .object([
            "slug": .string(slug),
            "title": .string(title),
            "face_field": .string(faceField),
            "pose_field": poseField.map(JSONValue.string) ?? .null,
            "pose_required": .bool(poseRequired),
            "expected_run_seconds": .number(expectedRunSeconds),
            "parameters": .array(parameters.map { .string($0.name) }),
        ])
    }
}
