import Testing

@testable import TapRing
@testable import TapRingOptions

/// The six size counters, PRC64–PRC1522 and PTC64–PTC1522, at their edges
/// (`e1000x_increase_size_stats`: above 1023, 511, 255, 127, 64, or exactly 64).
struct SizeBucketTests {
    @Test(arguments: [
        (0, nil), (63, nil), (64, 0), (65, 1), (127, 1), (128, 2), (255, 2), (256, 3),
        (511, 3), (512, 4), (1023, 4), (1024, 5), (1522, 5), (16384, 5), (65535, 5),
    ] as [(Int, Int?)])
    func framesCountWhereQEMUCountsThem(size: Int, bucket: Int?) {
        #expect(E1000Core.sizeBucket(of: size) == bucket)
    }
}
