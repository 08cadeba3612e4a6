import Foundation
import Testing

@testable import FileSystem

/// `PathNames` replaced `NSString`'s path methods: they must agree on every path shape the daemon names.
@Suite("PathNames: a path's last name and folder, as NSString gives them")
struct PathNamesTests {
    static let paths = [
        "/a/b/c.jpg", "/a/b/c.jpg/", "a/b/c.jpg", "c.jpg", "/c.jpg", "/", "", "/srv/in/.facedrop/claim-1/input/",
        "/srv/in//double//slash.png", "./relative/x.json", "/ünïcödé/fäce.JPG", "/a/b/with space.webp",
    ]

    @Test("the last name agrees with NSString's lastPathComponent", arguments: paths)
    func last(path: String) {
        #expect(PathNames.last(path) == (path as NSString).lastPathComponent)
    }

    @Test("the folder agrees with NSString's deletingLastPathComponent", arguments: paths)
    func parent(path: String) {
        #expect(PathNames.parent(path) == (path as NSString).deletingLastPathComponent)
    }
}
