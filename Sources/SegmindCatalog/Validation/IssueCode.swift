/// A stable name for a kind of validation problem or warning.
///
/// The raw values are what facedrop writes into `error.json` and `result.json`, so they never change
/// once released.
public enum IssueCode: String, Sendable, Hashable, CaseIterable, Codable {
    /// Neither the sidecar, the inbox defaults nor the inbox names a model.
    case missingModel = "missing_model"
    /// The model is not in the catalog.
    case unknownModel = "unknown_model"
    /// A required parameter is missing.
    case missingRequired = "missing_required"
    /// A value has the wrong JSON type.
    case wrongType = "wrong_type"
    /// A number lies outside the parameter's range.
    case outOfRange = "out_of_range"
    /// A value is not one of the parameter's listed values.
    case notInEnum = "not_in_enum"
    /// The sidecar sets the face field, which is filled from the dropped image.
    case faceFieldSet = "face_field_set"
    /// The pose field or the `pose_image` file name is unusable.
    case poseFieldInvalid = "pose_field_invalid"
    /// The model needs a pose image and none was given.
    case poseMissing = "pose_missing"
    /// The `facedrop` options are not an object.
    case facedropOptionsInvalid = "facedrop_options_invalid"
    /// Warning: a parameter the catalog does not know; it is sent as given.
    case unknownParameter = "unknown_parameter"
    /// Warning: a value was replaced by one facedrop always sends on v2.
    case overridden
    /// Warning: a parameter set to `null` is left out of the request.
    case nullValue = "null_value"
    /// Warning: a pose image was given for a model that takes none; it is not sent.
    case poseIgnored = "pose_ignored"
}
