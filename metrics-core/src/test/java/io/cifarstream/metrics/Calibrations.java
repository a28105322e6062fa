package io.cifarstream.metrics;

import java.util.Collections;
import java.util.List;

/** Calibrations made up for tests whose point is the temperature and the thresholds, not the reference. */
final class Calibrations {

    private Calibrations() {
    }

    /**
     * One reference prediction per class, all with a confidence in the first bin, no image statistics; the entropy
     * threshold halfway between a uniform prediction's negative entropy and a certain one's.
     */
    static Calibration of(int numClasses, double temperature, double atcThreshold) {
        return of(numClasses, temperature, atcThreshold, -Math.log(numClasses) / 2);
    }

    /** As {@link #of(int, double, double)}, with the given ATC entropy threshold. */
    static Calibration of(int numClasses, double temperature, double atcThreshold, double atcEntropyThreshold) {
        List<Long> histogram = new java.util.ArrayList<>(Collections.nCopies(HistogramBins.CONFIDENCE.count(), 0L));
        histogram.set(0, (long) numClasses);
        List<Long> noImages = Collections.nCopies(HistogramBins.CHANNEL_MEAN.count(), 0L);
        return new Calibration(Calibration.VERSION, numClasses, temperature, atcThreshold, atcEntropyThreshold,
                numClasses, 0.5, 1.0,
                Collections.nCopies(numClasses, 1L), histogram, 0, List.of(noImages, noImages, noImages),
                List.of(noImages, noImages, noImages), Collections.nCopies(HistogramBins.CHROMA.count(), 0L),
                Collections.nCopies(HistogramBins.DETAIL.count(), 0L));
    }
}
