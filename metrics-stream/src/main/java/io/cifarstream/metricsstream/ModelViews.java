package io.cifarstream.metricsstream;

import io.cifarstream.metrics.CalibratedPrediction;
import io.cifarstream.metrics.Calibration;
import io.cifarstream.metrics.CalibrationError;
import io.cifarstream.metrics.ClassificationReport;
import io.cifarstream.metrics.ConfidenceEstimate;
import io.cifarstream.metrics.Drift;
import io.cifarstream.schemas.MetricsView;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Everything one model's aggregation keeps in memory: two {@link EventTimeViews}, each with its cumulative, window
 * and last-N views, and the model's reference.
 * <ul>
 *   <li><b>labelled</b>: the labelled predictions ({@link LabelledViewState}): classification metrics, and the
 *       calibration metrics of those whose version the reference covers, counted from when that reference arrived;
 *       windows close with the labelled records' own stream time, as without a reference;</li>
 *   <li><b>estimates</b>: every prediction, labelled or not, of the version the reference covers, counted when first
 *       seen ({@link EstimateViewState}: estimates and drift, no label read); windows close with the stream time of
 *       these predictions, which runs ahead of the labelled one when labels lag, so a window view's two parts can be
 *       different windows (each report names both). Absent while the model has no reference.</li>
 * </ul>
 * A new reference (another version, or new statistics for the same one) starts the estimates afresh and the
 * labelled views' calibration metrics too (their last-N view counts only labelled records from then on); a
 * withdrawn one ends both. Predictions of a version the reference does not cover are left out of the estimates.
 * Every decision depends on the events in order alone, so a replay from a checkpoint rebuilds the same state.
 * Not thread-safe.
 */
public final class ModelViews {

    /**
     * What a checkpoint of these views holds, in bytes: the labelled views' cumulative state (classification and
     * calibration metrics), the panes of the labelled current window (all panes open, counted apart), the ROC cells
     * of class 0's cumulative sketch (the figure that stops growing at the cell limit), and the estimates' cumulative
     * state and current window's panes (0 without a reference).
     */
    public record StateSize(int cumulativeBytes, int currentWindowPaneBytes, int panesOpen, int cumulativeRocCellsClass0,
            int estimateCumulativeBytes, int estimateWindowPaneBytes) {
    }

    private final MetricsConfig config;
    private final EventTimeViews<LabelledViewState.Counted, LabelledViewState> labelled;
    /** Null while there is no reference. */
    private EventTimeViews<ScoredPrediction, EstimateViewState> estimates;
    private ReferenceUpdate reference;
    /** The first labelled sequence number the calibration metrics count (when the reference arrived). */
    private long calibratedFrom;
    /** The sequence number the first estimated prediction got, or, without estimates, the next one gets. */
    private long estimatedFrom;
    /** The version of the latest prediction seen, for the report's reason when the reference does not cover it. */
    private String latestVersion;
    /** The latest {@link #calibrate} result and what it was asked for (a copy of the log-probabilities). */
    private Calibration lastCalibration;
    private float[] lastLogProbs;
    private CalibratedPrediction lastCalibrated;

    /** A model's views before its first event. */
    public ModelViews(MetricsConfig config) {
        this.config = config;
        this.labelled = new EventTimeViews<>(config, new LabelledAccumulation(), 0);
    }

    /**
     * Views restored from checkpoints: the labelled views' state, and, with a {@code reference}, the estimates'
     * (empty when {@code estimateCumulative} is null).
     */
    ModelViews(MetricsConfig config, LabelledViewState labelledCumulative, Map<Long, LabelledViewState> labelledPanes,
            long labelledStreamTime, long labelledNextSeq, ReferenceUpdate reference, long calibratedFrom,
            long estimatedFrom, EstimateViewState estimateCumulative, Map<Long, EstimateViewState> estimatePanes,
            long estimateStreamTime, long estimateNextSeq) {
        this.config = config;
        this.reference = reference;
        this.calibratedFrom = calibratedFrom;
        this.estimatedFrom = estimatedFrom;
        this.labelled = new EventTimeViews<>(config, new LabelledAccumulation(), labelledCumulative, labelledPanes,
                labelledStreamTime, labelledNextSeq);
        if (reference != null) {
            EstimateAccumulation accumulation = new EstimateAccumulation(reference.calibration());
            this.estimates = new EventTimeViews<>(config, accumulation,
                    estimateCumulative == null ? accumulation.empty() : estimateCumulative, estimatePanes,
                    estimateStreamTime, estimateNextSeq);
        }
    }

    private final class LabelledAccumulation
            implements EventTimeViews.Accumulation<LabelledViewState.Counted, LabelledViewState> {
        @Override
        public LabelledViewState empty() {
            return LabelledViewState.empty(config.rocCellLimit(), calibration());
        }

        @Override
        public void add(LabelledViewState state, LabelledViewState.Counted record, long seq) {
            boolean calibrated = seq >= calibratedFrom && reference != null
                    && reference.covers(record.prediction().modelVersion());
            state.add(record, calibrated ? calibrate(reference.calibration(), record.prediction().logProbsUnsafe())
                    : null);
        }

        @Override
        public void merge(LabelledViewState into, LabelledViewState from) {
            into.merge(from);
        }

        @Override
        public long eventTime(LabelledViewState.Counted record) {
            return record.prediction().eventTime();
        }
    }

    private final class EstimateAccumulation
            implements EventTimeViews.Accumulation<ScoredPrediction, EstimateViewState> {
        private final Calibration reference;

        EstimateAccumulation(Calibration reference) {
            this.reference = reference;
        }

        @Override
        public EstimateViewState empty() {
            return EstimateViewState.empty(reference);
        }

        @Override
        public void add(EstimateViewState state, ScoredPrediction record, long seq) {
            state.add(record, calibrate(reference, record.logProbs()));
        }

        @Override
        public void merge(EstimateViewState into, EstimateViewState from) {
            into.merge(from);
        }

        @Override
        public long eventTime(ScoredPrediction record) {
            return record.eventTime();
        }
    }

    /**
     * {@code logProbs} calibrated by {@code calibration}: the previous result when it was asked for the same (a
     * prediction enters the cumulative view, its pane and the current window of the estimates, then, with a label,
     * of the labelled views: one softmax instead of up to nine; the result depends on these bits alone).
     */
    private CalibratedPrediction calibrate(Calibration calibration, float[] logProbs) {
        if (calibration != lastCalibration || !Arrays.equals(logProbs, lastLogProbs)) {
            lastCalibrated = CalibratedPrediction.of(calibration, logProbs);
            lastCalibration = calibration;
            lastLogProbs = logProbs.clone();
        }
        return lastCalibrated;
    }

    /** Counts a labelled prediction in the labelled views. */
    public EventTimeViews.Added<LabelledViewState> count(LabelledPrediction prediction) {
        return labelled.add(LabelledViewState.Counted.of(prediction));
    }

    /** Counts a prediction in the estimates; null, counting nothing, when the reference does not cover its version. */
    public EventTimeViews.Added<EstimateViewState> estimate(ScoredPrediction prediction) {
        latestVersion = prediction.modelVersion();
        if (reference == null || !reference.covers(prediction.modelVersion())) {
            return null;
        }
        return estimates.add(prediction);
    }

    /**
     * Takes {@code update} as the model's reference.
     *
     * @return false when it is the one in force (a scorer restarting publishes it again): nothing changes then
     */
    public boolean apply(ReferenceUpdate update) {
        ReferenceUpdate next = update.isWithdrawal() ? null : update;
        if (next == null ? reference == null
                : reference != null && reference.modelVersion().equals(next.modelVersion())
                        && reference.calibration().equals(next.calibration())) {
            return false;
        }
        long nextEstimateSeq = nextEstimateSeq();
        reference = next;
        calibratedFrom = labelled.nextSeq();
        estimatedFrom = nextEstimateSeq;
        Calibration calibration = calibration();
        labelled.changeEveryState(state -> state.recalibrate(calibration));
        estimates = next == null ? null
                : new EventTimeViews<>(config, new EstimateAccumulation(calibration), nextEstimateSeq);
        return true;
    }

    private Calibration calibration() {
        return reference == null ? null : reference.calibration();
    }

    EventTimeViews<LabelledViewState.Counted, LabelledViewState> labelled() {
        return labelled;
    }

    /** Null while the model has no reference. */
    EventTimeViews<ScoredPrediction, EstimateViewState> estimates() {
        return estimates;
    }

    /** Null while the model has none. */
    ReferenceUpdate reference() {
        return reference;
    }

    long calibratedFrom() {
        return calibratedFrom;
    }

    long estimatedFrom() {
        return estimatedFrom;
    }

    /** The sequence number the next estimated prediction gets. */
    long nextEstimateSeq() {
        return estimates == null ? estimatedFrom : estimates.nextSeq();
    }

    /** The largest event time of either kind of view: the model's stream time. */
    long streamTime() {
        return Math.max(labelled.streamTime(), estimates == null ? Long.MIN_VALUE : estimates.streamTime());
    }

    /** The size of these views' checkpoint now (see {@link StateSize}). */
    public StateSize stateSize() {
        LabelledViewState cumulative = labelled.cumulative();
        int labelledWindow = 0;
        for (LabelledViewState pane : windowPanes(labelled)) {
            labelledWindow += pane.classification().toBytes().length + calibrationBytes(pane);
        }
        int estimateCumulative = estimates == null ? 0 : estimates.cumulative().toBytes().length;
        int estimateWindow = 0;
        for (EstimateViewState pane : estimates == null ? List.<EstimateViewState>of() : windowPanes(estimates)) {
            estimateWindow += pane.toBytes().length;
        }
        return new StateSize(cumulative.classification().toBytes().length + calibrationBytes(cumulative), labelledWindow,
                labelled.panes().size(), cumulative.classification().roc(0).cellCount(), estimateCumulative,
                estimateWindow);
    }

    private static int calibrationBytes(LabelledViewState state) {
        return state.calibration() == null ? 0 : state.calibration().toBytes().length;
    }

    private static <S> java.util.Collection<S> windowPanes(EventTimeViews<?, S> views) {
        EventTimeViews.Window<S> window = views.currentWindow();
        return window == null ? List.of() : views.panes().subMap(window.start(), window.end()).values();
    }

    // ---- reports -----------------------------------------------------------------------------------

    /** The current report of {@code view} (without alert states). */
    ViewReport report(String modelId, MetricsView view, long emittedTime) {
        EventTimeViews.Window<LabelledViewState> labelledPart = part(labelled, view);
        EventTimeViews.Window<EstimateViewState> estimatePart = estimates == null ? null : part(estimates, view);
        return assemble(modelId, view, labelledPart, estimatePart, emittedTime);
    }

    /** The final report of a labelled window that closed, with the estimates' current window beside it. */
    ViewReport closedLabelledWindow(String modelId, EventTimeViews.Window<LabelledViewState> closed, long emittedTime) {
        return assemble(modelId, MetricsView.WINDOW, closed,
                estimates == null ? null : part(estimates, MetricsView.WINDOW), emittedTime);
    }

    /** The final report of an estimates window that closed, with the labelled views' current window beside it. */
    ViewReport closedEstimateWindow(String modelId, EventTimeViews.Window<EstimateViewState> closed, long emittedTime) {
        return assemble(modelId, MetricsView.WINDOW, part(labelled, MetricsView.WINDOW), closed, emittedTime);
    }

    /** A view's state with its window's bounds (null bounds outside the window view, and before any record). */
    private static <S> EventTimeViews.Window<S> part(EventTimeViews<?, S> views, MetricsView view) {
        return switch (view) {
            case CUMULATIVE -> new EventTimeViews.Window<>(0, 0, views.cumulative());
            case LAST_N -> new EventTimeViews.Window<>(0, 0, views.lastN());
            case WINDOW -> views.currentWindow();
        };
    }

    private ViewReport assemble(String modelId, MetricsView view, EventTimeViews.Window<LabelledViewState> labelledPart,
            EventTimeViews.Window<EstimateViewState> estimatePart, long emittedTime) {
        boolean windowed = view == MetricsView.WINDOW;
        LabelledViewState labelledState = labelledPart == null ? LabelledViewState.empty(config.rocCellLimit(),
                calibration()) : labelledPart.state();
        ClassificationReport classification = labelledState.classification().snapshot();
        Long start = windowed && labelledPart != null ? labelledPart.start() : null;
        Long end = windowed && labelledPart != null ? labelledPart.end() : null;
        MonitoringReport monitoring;
        if (reference == null) {
            monitoring = MonitoringReport.missing("no reference for model " + modelId + " (predictions of version "
                    + (latestVersion == null ? "unknown" : latestVersion) + "): the scorer publishes one on the"
                    + " references topic when it loads a model that has one (see calibrate)");
        } else {
            EstimateViewState estimateState = estimatePart == null ? EstimateViewState.empty(calibration())
                    : estimatePart.state();
            ConfidenceEstimate estimate = estimateState.estimates().snapshot();
            Drift drift = estimateState.drift().drift(calibration());
            CalibrationError calibrationError = labelledState.calibration() == null ? null
                    : labelledState.calibration().snapshot();
            String uncovered = latestVersion == null || reference.covers(latestVersion) ? null
                    : "the reference is for version " + reference.modelVersion() + ", the latest predictions are of "
                            + latestVersion + ": they are not estimated until a reference for it is published";
            monitoring = new MonitoringReport(MonitoringReport.Reference.of(reference), uncovered,
                    windowed && estimatePart != null ? estimatePart.start() : null,
                    windowed && estimatePart != null ? estimatePart.end() : null, estimate, drift, calibrationError);
        }
        return new ViewReport(modelId, view, start, end, emittedTime, classification, monitoring, List.of());
    }
}
