public import Foundation

/// The real photographs bundled for tests: public-domain and CC0 images, copied into the repository
/// so the suite needs nothing outside it.
public enum Fixtures {
    /// A 512×512 JPEG portrait (the astronaut Eileen Collins, NASA, public domain).
    public static let faceJPEG = "astronaut-face.jpg"
    /// The same portrait as PNG.
    public static let facePNG = "astronaut-face.png"
    /// The same portrait as WebP.
    public static let faceWebP = "astronaut-face.webp"
    /// The portrait at 256×256, for tests that move many files.
    public static let smallFaceJPEG = "astronaut-face-small.jpg"
    /// A 512×512 grey photo of a standing person, used as a pose reference.
    public static let poseJPEG = "camera-pose.jpg"

    /// The file URL of a bundled fixture.
    public static func url(_ name: String) -> URL {
        guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) else {
            fatalError("fixture \(name) is not bundled with FacedropTestSupport")
        }
        return url
    }

    /// The bytes of a bundled fixture.
    public static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url(name)))
    }
}
