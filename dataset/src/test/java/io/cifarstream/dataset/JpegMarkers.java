package io.cifarstream.dataset;

import java.util.ArrayList;
import java.util.List;

/** Reads the few JPEG markers the tests look at (ITU T.81, B.2): quantisation tables and sampling factors. */
final class JpegMarkers {
    /** Natural (row by row) index of each position of the zig-zag order the DQT marker stores tables in. */
    private static final int[] NATURAL_ORDER = {0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26,
        33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44,
        51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63};
    private static final int SOF0 = 0xC0;
    private static final int DQT = 0xDB;
    private static final int SOS = 0xDA;

    private JpegMarkers() {
    }

    /** Every 8-bit quantisation table, in stream order, each in natural order. */
    static List<int[]> quantisationTables(byte[] jpeg) {
        List<int[]> tables = new ArrayList<>();
        forEachSegment(jpeg, (marker, start, length) -> {
            if (marker == DQT) {
                for (int at = start; at < start + length; at += 65) {
                    if ((jpeg[at] & 0xf0) != 0) {
                        throw new AssertionError("16-bit table: not a baseline JPEG");
                    }
                    int[] table = new int[64];
                    for (int k = 0; k < 64; k++) {
                        table[NATURAL_ORDER[k]] = jpeg[at + 1 + k] & 0xff;
                    }
                    tables.add(table);
                }
            }
        });
        return tables;
    }

    /** The baseline frame's sampling factors per component, as bytes 0xHV. */
    static List<Integer> samplingFactors(byte[] jpeg) {
        List<Integer> factors = new ArrayList<>();
        forEachSegment(jpeg, (marker, start, length) -> {
            if (marker == SOF0) {
                int components = jpeg[start + 5] & 0xff;
                for (int c = 0; c < components; c++) {
                    factors.add(jpeg[start + 6 + 3 * c + 1] & 0xff);
                }
            }
        });
        return factors;
    }

    private interface Segment {
        void visit(int marker, int start, int length);
    }

    /** Walks the segments from SOI to the start of scan; {@code start} is the payload after the length bytes. */
    private static void forEachSegment(byte[] jpeg, Segment visitor) {
        if ((jpeg[0] & 0xff) != 0xFF || (jpeg[1] & 0xff) != 0xD8) {
            throw new AssertionError("not a JPEG: no SOI");
        }
        int at = 2;
        while (at + 4 <= jpeg.length) {
            int marker = jpeg[at + 1] & 0xff;
            int length = ((jpeg[at + 2] & 0xff) << 8) | (jpeg[at + 3] & 0xff);
            visitor.visit(marker, at + 4, length - 2);
            if (marker == SOS) {
                return;
            }
            at += 2 + length;
        }
    }
}
