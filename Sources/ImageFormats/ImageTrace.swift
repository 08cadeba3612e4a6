/// Where a generated picture came from, embedded in the picture itself.
///
/// The Segmind emulator writes one into every output it renders, so a test holding only the
/// downloaded bytes can prove which request, model and input face produced them (see
/// ``read(from:)``).
package struct ImageTrace: Sendable, Hashable {
    /// The request the picture answers.
    package var requestID: String
    /// The model slug that "generated" it.
    package var model: String
    /// Lowercase hex SHA-256 of the face image sent.
    package var faceSHA256: String
    /// Lowercase hex SHA-256 of the pose image sent, if any.
    package var poseSHA256: String?
    /// The position of this picture among the request's outputs, from 0.
    package var index: Int
    /// The prompt sent, if any.
    package var prompt: String?

    package init(
        requestID: String,
        model: String,
        faceSHA256: String,
        poseSHA256: String? = nil,
        index: Int,
        prompt: String? = nil
    ) {
        self.requestID = requestID
        self.model = model
        self.faceSHA256 = faceSHA256
        self.poseSHA256 = poseSHA256
        self.index = index
        self.prompt = prompt
    }
}
