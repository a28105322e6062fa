package io.cifarstream.metrics;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every label-free and calibration accumulator promises a view: adding then removing records (in any
 * order) restores the state bit for bit; merging parts equals feeding the whole; the bytes round-trip; a
 * record that is not in view cannot be removed; states under different calibrations do not mix.
 */
class AccumulatorLawsTest {

    private static final Calibration CALIBRATION = Calibrations.of(10, 1.7, 0.45);
    private static final int RECORDS = 1_500;
    private static final int[] LABELS = new int[RECORDS];
    private static final float[][] LOG_PROBS = new float[RECORDS][];
    /** Every third record comes without image statistics. */
    private static final float[][] STATS = new float[RECORDS][];

    static {
        Random random = new Random(16);
        for (int i = 0; i < RECORDS; i++) {
            LABELS[i] = random.nextInt(10);
            LOG_PROBS[i] = ClassificationAccumulatorTest.randomLogProbs(random, 10);
            if (i % 3 != 0) {
                STATS[i] = new float[ImageStatistics.LENGTH];
                for (int s = 0; s < ImageStatistics.LENGTH; s++) {
                    STATS[i][s] = (float) (s < 3 ? random.nextDouble() : s == ImageStatistics.DETAIL
                            ? 0.3 + 0.8 * random.nextDouble() : random.nextDouble() / 2);
                }
            }
        }
    }

    /** An operation on record i of the shared records; an int, so that the allocation check sees no boxing. */
    interface RecordOperation<S> {
        void apply(S state, int record);
    }

    /**
     * One accumulator type seen through the operations a view uses: how to make an empty one under a calibration,
     * read one, add and remove a record, merge, serialize, snapshot and copy.
     */
    record Kind<S>(String name, Function<Calibration, S> empty, Function<byte[], S> read, RecordOperation<S> add,
            RecordOperation<S> remove, BiConsumer<S, S> merge, Function<S, byte[]> toBytes, ToIntFunction<S> sizeBytes,
            Function<S, Object> snapshot, UnaryOperator<S> copy) {

        Subject<S> emptyUnder(Calibration calibration) {
            return new Subject<>(this, empty.apply(calibration));
        }

        Subject<S> fromBytes(byte[] bytes) {
            return new Subject<>(this, read.apply(bytes));
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A state of some kind. */
    record Subject<S>(Kind<S> kind, S state) {
        void add(int record) {
            kind.add().apply(state, record);
        }

        void remove(int record) {
            kind.remove().apply(state, record);
        }

        void merge(Subject<S> other) {
            kind.merge().accept(state, other.state);
        }

        byte[] bytes() {
            byte[] bytes = kind.toBytes().apply(state);
            assertThat(bytes).hasSize(kind.sizeBytes().applyAsInt(state));
            return bytes;
        }

        Object snapshot() {
            return kind.snapshot().apply(state);
        }

        Subject<S> copy() {
            return new Subject<>(kind, kind.copy().apply(state));
        }
    }

    static List<Kind<?>> kinds() {
        return List.of(
                new Kind<>("ConfidenceEstimateAccumulator", ConfidenceEstimateAccumulator::new,
                        ConfidenceEstimateAccumulator::fromBytes, (s, i) -> s.add(LOG_PROBS[i]),
                        (s, i) -> s.remove(LOG_PROBS[i]), ConfidenceEstimateAccumulator::merge,
                        ConfidenceEstimateAccumulator::toBytes, ConfidenceEstimateAccumulator::sizeBytes,
                        ConfidenceEstimateAccumulator::snapshot, ConfidenceEstimateAccumulator::copy),
                new Kind<>("CalibrationErrorAccumulator", CalibrationErrorAccumulator::new,
                        CalibrationErrorAccumulator::fromBytes, (s, i) -> s.add(LABELS[i], LOG_PROBS[i]),
                        (s, i) -> s.remove(LABELS[i], LOG_PROBS[i]), CalibrationErrorAccumulator::merge,
                        CalibrationErrorAccumulator::toBytes, CalibrationErrorAccumulator::sizeBytes,
                        CalibrationErrorAccumulator::snapshot, CalibrationErrorAccumulator::copy),
                new Kind<>("DriftAccumulator", DriftAccumulator::new, DriftAccumulator::fromBytes,
                        (s, i) -> s.add(LOG_PROBS[i], STATS[i]), (s, i) -> s.remove(LOG_PROBS[i], STATS[i]),
                        DriftAccumulator::merge, DriftAccumulator::toBytes, DriftAccumulator::sizeBytes,
                        s -> s.drift(CALIBRATION), DriftAccumulator::copy));
    }

    @ParameterizedTest
    @MethodSource("kinds")
    <S> void addingThenRemovingInAnotherOrderRestoresTheBytes(Kind<S> kind) {
        Subject<S> state = kind.emptyUnder(CALIBRATION);
        for (int i = 0; i < 500; i++) {
            state.add(i);
        }
        byte[] before = state.bytes();
        Object snapshot = state.snapshot();
        for (int i = 500; i < RECORDS; i++) {
            state.add(i);
        }
        for (int i = RECORDS - 1; i >= 500; i -= 2) {
            state.remove(i);
        }
        for (int i = 500; i < RECORDS; i += 2) {
            if ((RECORDS - 1 - i) % 2 != 0) {
                state.remove(i);
            }
        }
        assertThat(state.bytes()).isEqualTo(before);
        assertThat(state.snapshot()).isEqualTo(snapshot);
    }

    @ParameterizedTest
    @MethodSource("kinds")
    <S> void mergingPartsEqualsFeedingTheWhole(Kind<S> kind) {
        Subject<S> whole = kind.emptyUnder(CALIBRATION);
        List<Subject<S>> parts = List.of(kind.emptyUnder(CALIBRATION), kind.emptyUnder(CALIBRATION),
                kind.emptyUnder(CALIBRATION));
        Random random = new Random(3);
        for (int i = 0; i < RECORDS; i++) {
            whole.add(i);
            parts.get(random.nextInt(3)).add(i);
        }
        parts.get(0).merge(parts.get(1));
        parts.get(0).merge(parts.get(2));
        assertThat(parts.get(0).bytes()).isEqualTo(whole.bytes());
        assertThat(parts.get(0).snapshot()).isEqualTo(whole.snapshot());
    }

    @ParameterizedTest
    @MethodSource("kinds")
    <S> void mergingAStateWithItselfCountsItsRecordsTwice(Kind<S> kind) {
        Subject<S> doubled = kind.emptyUnder(CALIBRATION);
        Subject<S> twice = kind.emptyUnder(CALIBRATION);
        for (int i = 0; i < 300; i++) {
            doubled.add(i);
            twice.add(i);
            twice.add(i);
        }
        doubled.merge(doubled);
        assertThat(doubled.bytes()).isEqualTo(twice.bytes());
    }

    @ParameterizedTest
    @MethodSource("kinds")
    <S> void bytesRoundTripAndTruncatedBytesAreRejected(Kind<S> kind) {
        Subject<S> state = kind.emptyUnder(CALIBRATION);
        for (int i = 0; i < RECORDS; i++) {
            state.add(i);
        }
        byte[] bytes = state.bytes();
        Subject<S> read = kind.fromBytes(bytes);
        assertThat(read.bytes()).isEqualTo(bytes);
        assertThat(read.snapshot()).isEqualTo(state.snapshot());
        assertThatThrownBy(() -> kind.fromBytes(Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(IllegalArgumentException.class);
        byte[] otherFormat = bytes.clone();
        otherFormat[0] = 9;
        assertThatThrownBy(() -> kind.fromBytes(otherFormat)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("format");
    }

    /**
     * A record the view cannot hold (here: of another predicted class and confidence bin than the one record in
     * view) is refused. The states hold sums, not records, so a record that was never added but looks like the
     * ones in view can go unnoticed: removing only what was added is the caller's part.
     */
    @ParameterizedTest
    @MethodSource("kinds")
    <S> void removingARecordTheViewCannotHoldFailsAndChangesNothing(Kind<S> kind) {
        Subject<S> state = kind.emptyUnder(CALIBRATION);
        assertThatThrownBy(() -> state.remove(0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not in view");
        state.add(0);
        byte[] before = state.bytes();
        CalibratedRow row = CalibrationKey.of(CALIBRATION).newRow();
        row.set(LOG_PROBS[0]);
        int predicted = row.predicted;
        int bin = HistogramBins.CONFIDENCE.index(row.confidence);
        int other = 1;
        while (row.set(LOG_PROBS[other]).predicted == predicted || HistogramBins.CONFIDENCE.index(row.confidence) == bin) {
            other++;
        }
        int absent = other;
        assertThatThrownBy(() -> state.remove(absent)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not in view");
        assertThat(state.bytes()).isEqualTo(before);
    }

    @ParameterizedTest
    @MethodSource("kinds")
    <S> void statesUnderDifferentCalibrationsDoNotMerge(Kind<S> kind) {
        Subject<S> state = kind.emptyUnder(CALIBRATION);
        Subject<S> other = kind.emptyUnder(Calibrations.of(10, 1.7000000000000002, 0.45));
        assertThatThrownBy(() -> state.merge(other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("different calibrations");
    }

    /** A view adds and removes a record per event: that must cost no garbage. */
    @ParameterizedTest
    @MethodSource("kinds")
    <S> void addingAndRemovingAllocateNothing(Kind<S> kind) {
        Subject<S> state = kind.emptyUnder(CALIBRATION);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        for (int round = 0; round < 3; round++) {
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < RECORDS; i++) {
                state.add(i);
            }
            for (int i = 0; i < RECORDS; i++) {
                state.remove(i);
            }
            long allocated = threads.getThreadAllocatedBytes(thread) - before;
            // The probe itself may allocate a few bytes; a record costing even 16 bytes would show 48,000.
            assertThat(allocated).as("bytes allocated by %d adds and removes", 2 * RECORDS).isLessThan(1_000);
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    <S> void aCopyIsIndependent(Kind<S> kind) {
        Subject<S> state = kind.emptyUnder(CALIBRATION);
        state.add(0);
        byte[] before = state.bytes();
        state.copy().add(1);
        assertThat(state.bytes()).isEqualTo(before);
    }
}
