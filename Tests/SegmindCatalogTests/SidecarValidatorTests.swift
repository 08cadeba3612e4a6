import SegmindCatalog
import StrictJSON
import Testing

/// One model's good sidecar and a bad one with the issues it must produce, all at once.
struct ModelCase: Sendable, CustomTestStringConvertible {
    let slug: String
    let good: [String: JSONValue]
    let goodHasPoseImage: Bool
    let bad: [String: JSONValue]
    let expectedIssues: Set<String>
    let expectedWarnings: Set<String>

    var testDescription: String { slug }

    static let all: [ModelCase] = [
        ModelCase(
            slug: "pulid-base",
            good: [
                "model": "pulid-base", "prompt": "a man", "seed": 42, "face_style": "stylized",
                "number_of_images": 3, "output_quality": 90, "checkpoint_model": "anything goes",
            ],
            goodHasPoseImage: false,
            bad: [
                "model": "pulid-base", "seed": "x", "number_of_images": 11, "face_style": "anime",
                "face_image": "abc", "output_quality": -1, "mystery": 1,
            ],
            expectedIssues: [
                "seed wrong_type", "number_of_images out_of_range", "face_style not_in_enum",
                "face_image face_field_set", "output_quality out_of_range",
            ],
            expectedWarnings: ["mystery unknown_parameter"]
        ),
        ModelCase(
            slug: "flux-pulid",
            good: [
                "model": "flux-pulid", "prompt": "portrait of woman, neon color, cinematic", "seed": 720558,
                "width": 896, "height": 1152, "id_weight": 1.05, "num_steps": 20,
            ],
            goodHasPoseImage: false,
            bad: [
                "model": "flux-pulid", "width": 100, "true_cfg": "high", "num_outputs": 2.5,
                "main_face_image": "https://example.com/face.jpg", "max_sequence_length": 1024, "extra": true,
            ],
            expectedIssues: [
                "prompt missing_required", "width out_of_range", "true_cfg wrong_type",
                "num_outputs wrong_type", "main_face_image face_field_set",
                "max_sequence_length out_of_range",
            ],
            expectedWarnings: ["extra unknown_parameter"]
        ),
        ModelCase(
            slug: "consistent-character-with-pose",
            good: [
                "model": "consistent-character-with-pose", "prompt": "a woman in denim", "pose_image": "pose.png",
                "samples": 2, "custom_width": 512, "use_input_img_dimension": false,
            ],
            goodHasPoseImage: false,
            bad: [
                "model": "consistent-character-with-pose", "samples": 5, "quality": 5,
                "use_input_img_dimension": "yes", "base_64": 1, "face_image": "Zm9v", "colour": "red",
            ],
            expectedIssues: [
                "pose_image pose_missing", "prompt missing_required", "samples out_of_range",
                "quality out_of_range", "use_input_img_dimension wrong_type", "base_64 wrong_type",
                "face_image face_field_set",
            ],
            expectedWarnings: ["colour unknown_parameter"]
        ),
        ModelCase(
            slug: "pulid-lightning",
            good: [
                "model": "pulid-lightning", "checkpoint_model": "realistic", "output_format": "webp",
                "number_of_images": 10, "face_style": "high-fidelity",
            ],
            goodHasPoseImage: false,
            bad: [
                "model": "pulid-lightning", "checkpoint_model": "anime", "output_format": "gif",
                "number_of_images": 0, "width": "1024", "output_quality": 100.5, "steps": 4,
            ],
            expectedIssues: [
                "checkpoint_model not_in_enum", "output_format not_in_enum",
                "number_of_images out_of_range", "width wrong_type", "output_quality wrong_type",
            ],
            expectedWarnings: ["steps unknown_parameter"]
        ),
        ModelCase(
            slug: "instantid",
            good: [
                "model": "instantid", "prompt": "photo of a man", "style": "Vibrant Color",
                "seed": 999_999_999_999_999, "identity_strength": 1, "enhance_face_region": true,
            ],
            goodHasPoseImage: true,
            bad: [
                "model": "instantid", "seed": 1_000_000_000_000_000, "identity_strength": 1.5,
                "num_inference_steps": 3, "enhance_face_region": 1, "base64": true, "samples": 0,
                "face_image": "x", "guidance_scale": "5", "lora": "x",
            ],
            expectedIssues: [
                "prompt missing_required", "seed out_of_range", "identity_strength out_of_range",
                "num_inference_steps out_of_range", "enhance_face_region wrong_type",
                "samples out_of_range", "face_image face_field_set", "guidance_scale wrong_type",
            ],
            expectedWarnings: ["lora unknown_parameter", "base64 overridden"]
        ),
    ]
}

private func summary(_ issues: [ValidationIssue]) -> Set<String> {
    Set(issues.map { "\($0.field ?? "-") \($0.code.rawValue)" })
}

@Suite("Sidecar validation")
struct SidecarValidatorTests {
    let validator: SidecarValidator

    init() throws {
        validator = SidecarValidator(catalog: try ModelCatalog.bundled())
    }

    private func accept(
        _ sidecar: [String: JSONValue],
        defaults: [String: JSONValue] = [:],
        defaultModel: String? = nil,
        hasPoseImage: Bool = false,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> ValidatedSidecar {
        let result = validator.validateSidecar(
            sidecar,
            inboxDefaults: defaults,
            defaultModel: defaultModel,
            hasPoseImage: hasPoseImage
        )
        switch result {
        case .success(let validated):
            return validated
        case .failure(let rejection):
            Issue.record("rejected: \(rejection)", sourceLocation: sourceLocation)
            throw rejection
        }
    }

    private func reject(
        _ sidecar: [String: JSONValue],
        defaults: [String: JSONValue] = [:],
        defaultModel: String? = nil,
        hasPoseImage: Bool = false,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> SidecarRejection {
        let result = validator.validateSidecar(
            sidecar,
            inboxDefaults: defaults,
            defaultModel: defaultModel,
            hasPoseImage: hasPoseImage
        )
        guard case .failure(let rejection) = result else {
            Issue.record("accepted: \(sidecar)", sourceLocation: sourceLocation)
            throw CancellationError()
        }
        return rejection
    }

    @Test(arguments: ModelCase.all)
    func aGoodSidecarValidates(_ model: ModelCase) throws {
        let validated = try accept(model.good, hasPoseImage: model.goodHasPoseImage)
        #expect(validated.model.slug == model.slug)
        #expect(validated.warnings.isEmpty)
        var expected = model.good
        expected["model"] = nil
        expected["pose_image"] = nil
        expected.merge(validated.model.v2Overrides) { _, override in override }
        #expect(validated.parameters == expected)
    }

    @Test(arguments: ModelCase.all)
    func aBadSidecarListsEveryProblemAtOnce(_ model: ModelCase) throws {
        let rejection = try reject(model.bad)
        #expect(summary(rejection.issues) == model.expectedIssues)
        #expect(summary(rejection.warnings) == model.expectedWarnings)
        #expect(rejection.issues.count == model.expectedIssues.count)
        // Each problem on its own line, after the heading.
        let lines = rejection.description.split(separator: "\n")
        #expect(lines.count == 1 + rejection.issues.count + rejection.warnings.count)
        #expect(lines.first == "the sidecar has \(rejection.issues.count) problems:")
    }

    @Test func messagesSayWhatIsWrong() throws {
        let rejection = try reject(["model": "flux-pulid", "prompt": "x", "num_steps": 25, "id_weight": "1"])
        let text = rejection.description
        #expect(text.contains("  - num_steps: 25 is out of range: must be between 1 and 20"))
        #expect(text.contains("  - id_weight: expected a number, got a string (\"1\")"))
        let enumRejection = try reject(["model": "pulid-base", "face_style": "anime"])
        #expect(
            enumRejection.issues.first?.message
                == "\"anime\" is not one of the allowed values: \"high-fidelity\", \"stylized\""
        )
    }

    @Test func inboxDefaultsFillInAndTheSidecarWins() throws {
        let defaults: [String: JSONValue] = [
            "prompt": "from the inbox", "seed": 1, "num_steps": 10,
            "facedrop": ["priority": 1, "keep": true],
        ]
        let validated = try accept(
            ["seed": 2, "facedrop": ["priority": 5]],
            defaults: defaults,
            defaultModel: "flux-pulid"
        )
        #expect(validated.model.slug == "flux-pulid")
        #expect(validated.parameters == ["prompt": "from the inbox", "seed": 2, "num_steps": 10])
        #expect(validated.options == ["priority": 5, "keep": true])
    }

    @Test func theSidecarsModelBeatsTheDefaults() throws {
        let fromSidecar = try accept(
            ["model": "pulid-lightning"],
            defaults: ["model": "pulid-base"],
            defaultModel: "flux-pulid"
        )
        #expect(fromSidecar.model.slug == "pulid-lightning")
        let fromDefaults = try accept([:], defaults: ["model": "pulid-base"], defaultModel: "flux-pulid")
        #expect(fromDefaults.model.slug == "pulid-base")
        let fromInbox = try accept(["prompt": "x"], defaultModel: "flux-pulid")
        #expect(fromInbox.model.slug == "flux-pulid")
    }

    @Test func problemsFromTheDefaultsSaySo() throws {
        let rejection = try reject(["prompt": "x"], defaults: ["num_steps": 99], defaultModel: "flux-pulid")
        #expect(rejection.issues.first?.message.hasSuffix("(set by the inbox defaults)") == true)
    }

    @Test func modelProblems() throws {
        #expect(summary(try reject(["prompt": "x"]).issues) == ["model missing_model"])
        let unknown = try reject(["model": "sdxl"])
        #expect(summary(unknown.issues) == ["model unknown_model"])
        #expect(unknown.issues[0].message.contains("known models: pulid-base, flux-pulid"))
        #expect(summary(try reject(["model": 5]).issues) == ["model wrong_type"])
        // An unknown model does not hide the other sidecar-level problems.
        let several = try reject(["model": "sdxl", "facedrop": "fast", "pose_image": "../etc/passwd"])
        #expect(
            summary(several.issues)
                == ["model unknown_model", "facedrop facedrop_options_invalid", "pose_image pose_field_invalid"]
        )
    }

    @Test(arguments: ["../pose.png", "sub/pose.png", "/etc/passwd", "..", "a..b.png", ".hidden.png", "", "a\u{0}b"])
    func poseImageNamesMustBePlain(_ name: String) throws {
        let rejection = try reject(["model": "instantid", "prompt": "x", "pose_image": .string(name)])
        #expect(summary(rejection.issues) == ["pose_image pose_field_invalid"])
    }

    @Test(
        "a pose_image with a control character is refused without quoting it, so no message carries it",
        arguments: [
            "../x\nFORGED.png", "a/b\u{1B}[31m.png", "..\r\n", "x\u{7F}.png", "x\u{85}.png",
        ]
    )
    func poseImageControlCharacters(_ name: String) throws {
        let rejection = try reject(["model": "instantid", "prompt": "x", "pose_image": .string(name)])
        #expect(summary(rejection.issues) == ["pose_image pose_field_invalid"])
        let message = rejection.issues[0].message
        #expect(message.contains("control characters"), "\(message)")
        #expect(!message.unicodeScalars.contains { $0.properties.generalCategory == .control }, "\(message.debugDescription)")
    }

    @Test func poseImageNamesAreKept() throws {
        let validated = try accept(["model": "instantid", "prompt": "x", "pose_image": "my pose.png"])
        #expect(validated.poseImageName == "my pose.png")
        #expect(validated.parameters["pose_image"] == nil)
        #expect(
            summary(try reject(["model": "instantid", "prompt": "x", "pose_image": 3]).issues)
                == ["pose_image pose_field_invalid"]
        )
    }

    @Test func aRequiredPoseComesFromAFileOrAName() throws {
        let slug: JSONValue = "consistent-character-with-pose"
        #expect(summary(try reject(["model": slug, "prompt": "x"]).issues) == ["pose_image pose_missing"])
        _ = try accept(["model": slug, "prompt": "x"], hasPoseImage: true)
        _ = try accept(["model": slug, "prompt": "x", "pose_image": "p.png"])
    }

    @Test func aPoseForAModelWithoutOneIsAWarning() throws {
        let validated = try accept(["model": "flux-pulid", "prompt": "x"], hasPoseImage: true)
        #expect(summary(validated.warnings) == ["pose_image pose_ignored"])
    }

    @Test func numbersAreCoercedOnlyWhereExact() throws {
        let validated = try accept(["model": "flux-pulid", "prompt": "x", "num_steps": 4.0, "id_weight": 2])
        #expect(validated.parameters["num_steps"] == .integer(4))
        #expect(validated.parameters["id_weight"] == .integer(2))
        #expect(
            summary(try reject(["model": "flux-pulid", "prompt": "x", "num_steps": 4.5]).issues)
                == ["num_steps wrong_type"]
        )
    }

    @Test func booleansAreJSONBooleansOnly() throws {
        for value: JSONValue in [1, 0, "true", "false", nil] where value != nil {
            let rejection = try reject(["model": "instantid", "prompt": "x", "enhance_face_region": value])
            #expect(summary(rejection.issues) == ["enhance_face_region wrong_type"])
        }
    }

    @Test func nullsAreLeftOutWithAWarning() throws {
        let validated = try accept(["prompt": "x", "seed": nil], defaults: ["seed": 5], defaultModel: "flux-pulid")
        #expect(validated.parameters == ["prompt": "x"])
        #expect(summary(validated.warnings) == ["seed null_value"])
        #expect(summary(try reject(["model": "flux-pulid", "prompt": nil]).issues) == ["prompt missing_required"])
    }

    @Test func v2OverridesAreAlwaysSent() throws {
        let validated = try accept(["model": "instantid", "prompt": "x", "base64": true])
        #expect(validated.parameters["base64"] == false)
        #expect(summary(validated.warnings) == ["base64 overridden"])
        let pose = try accept(["model": "consistent-character-with-pose", "prompt": "x"], hasPoseImage: true)
        #expect(pose.parameters["base_64"] == false)
        #expect(pose.warnings.isEmpty)
    }

    @Test func theRequestBodyAddsTheImages() throws {
        let validated = try accept(["model": "instantid", "prompt": "x"], hasPoseImage: true)
        let body = validated.requestBody(faceImage: "RkFDRQ==", poseImage: "UE9TRQ==")
        #expect(body == ["prompt": "x", "base64": false, "face_image": "RkFDRQ==", "pose_image": "UE9TRQ=="])
        let flux = try accept(["model": "flux-pulid", "prompt": "x"])
        #expect(
            flux.requestBody(faceImage: "https://x/f.jpg", poseImage: "ignored")
                == ["prompt": "x", "main_face_image": "https://x/f.jpg"]
        )
    }

    @Test func issuesBecomeJSON() {
        let issue = ValidationIssue(field: "seed", code: .outOfRange, message: "too big")
        #expect(issue.jsonValue == ["field": "seed", "code": "out_of_range", "message": "too big"])
        #expect(issue.description == "seed: too big")
    }
}

@Suite("Request body validation")
struct RequestBodyValidationTests {
    let validator: SidecarValidator
    let catalog: ModelCatalog

    init() throws {
        catalog = try ModelCatalog.bundled()
        validator = SidecarValidator(catalog: catalog)
    }

    private func check(_ slug: String, _ body: [String: JSONValue]) throws -> (Set<String>, Set<String>) {
        let model = try #require(catalog.model(slug))
        let (problems, warnings) = validator.validateRequestBody(body, model: model)
        return (summary(problems), summary(warnings))
    }

    @Test func aGoodBodyPasses() throws {
        let (problems, warnings) = try check(
            "flux-pulid",
            ["prompt": "x", "main_face_image": "/9j/4AAQSkZJRg==", "num_outputs": 2]
        )
        #expect(problems.isEmpty)
        #expect(warnings.isEmpty)
        let url = try check("instantid", ["prompt": "x", "face_image": "https://example.com/f.jpg", "base64": false])
        #expect(url.0.isEmpty)
    }

    @Test func theFaceMustBePresentAsAnImageString() throws {
        #expect(try check("flux-pulid", ["prompt": "x"]).0 == ["main_face_image missing_required"])
        #expect(try check("flux-pulid", ["prompt": "x", "main_face_image": ""]).0 == ["main_face_image wrong_type"])
        #expect(try check("flux-pulid", ["prompt": "x", "main_face_image": 5]).0 == ["main_face_image wrong_type"])
        #expect(
            try check("flux-pulid", ["prompt": "x", "main_face_image": "not an image!"]).0
                == ["main_face_image wrong_type"]
        )
    }

    @Test func aRequiredPoseMustBePresent() throws {
        let face: JSONValue = "Zm9v"
        #expect(
            try check("consistent-character-with-pose", ["prompt": "x", "face_image": face]).0
                == ["pose_image pose_missing"]
        )
        #expect(try check("instantid", ["prompt": "x", "face_image": face]).0.isEmpty)
        #expect(
            try check("instantid", ["prompt": "x", "face_image": face, "pose_image": ""]).0
                == ["pose_image wrong_type"]
        )
    }

    @Test func everyProblemIsListed() throws {
        let (problems, warnings) = try check(
            "pulid-lightning",
            ["number_of_images": 11, "output_format": "gif", "unknown": 1, "seed": "1"]
        )
        #expect(
            problems == [
                "face_image missing_required", "number_of_images out_of_range",
                "output_format not_in_enum", "seed wrong_type",
            ]
        )
        #expect(warnings == ["unknown unknown_parameter"])
    }
}
