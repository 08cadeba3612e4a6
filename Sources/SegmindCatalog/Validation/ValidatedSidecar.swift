public import StrictJSON

/// A sidecar that passed validation: what will be sent, and what facedrop itself needs to know.
public struct ValidatedSidecar: Sendable, Hashable {
    /// The model the job runs on.
    public let model: ModelSpec
    /// The parameters that will be sent, without the images: the sidecar merged over the inbox
    /// defaults, values normalised (`4.0` for an integer becomes `4`), `null`s left out, unknown
    /// parameters passed through, and the model's ``ModelSpec/v2Overrides`` applied.
    public let parameters: [String: JSONValue]
    /// The pose image's file name from the sidecar's `pose_image`, if given (a plain name in the
    /// sidecar's folder).
    public let poseImageName: String?
    /// The `facedrop` object: daemon options, never sent.
    public let options: [String: JSONValue]
    /// Things worth noting that do not stop the job (unknown parameters, ignored values).
    public let warnings: [ValidationIssue]

    public init(
        model: ModelSpec,
        parameters: [String: JSONValue],
        poseImageName: String?,
        options: [String: JSONValue],
        warnings: [ValidationIssue]
    ) {
        self.model = model
        self.parameters = parameters
        self.poseImageName = poseImageName
        self.options = options
        self.warnings = warnings
    }

    /// The request body for `POST /v2/{slug}`: ``parameters`` plus the face image and, when the
    /// model takes one, the pose image, each as a URL or raw base64 string.
    public func requestBody(faceImage: String, poseImage: String? = nil) -> [String: JSONValue] {
        var body = parameters
        body[model.faceField] = .string(faceImage)
        if let poseField = model.poseField, let poseImage {
            body[poseField] = .string(poseImage)
        }
        return body
    }
}
