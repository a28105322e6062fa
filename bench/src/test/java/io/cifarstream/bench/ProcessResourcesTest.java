package io.cifarstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ProcessResourcesTest {
    /** A real /proc/<pid>/stat line whose command name holds a space and a parenthesis. */
    private static final String STAT = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 123456 0 7 0 2514 388 0 0 20 0 "
            + "31 0 1234567 9876543210 310000 18446744073709551615 1 1 0 0 0 0 0 4096 16796879 0 0 0 17 1 0 0 0 0 0";
    private static final String STATUS = "Name:\tjava\nVmPeak:\t 9000000 kB\nVmHWM:\t 1300000 kB\nVmRSS:\t 1200000 kB\n";

    @Test
    void cpuFaultsAndMemoryComeFromTheirFieldsCountedAfterTheCommandName() {
        ProcessResources figures = ProcessResources.parse(STAT, STATUS);

        assertThat(figures.minorFaults()).isEqualTo(123_456);
        assertThat(figures.userSeconds()).isCloseTo(25.14, within(1e-9));
        assertThat(figures.systemSeconds()).isCloseTo(3.88, within(1e-9));
        assertThat(figures.residentBytes()).isEqualTo(1_200_000L * 1024);
        assertThat(figures.peakResidentBytes()).isEqualTo(1_300_000L * 1024);
    }

    @Test
    void anIntervalSubtractsTimesAndFaultsAndKeepsTheLatestMemory() {
        ProcessResources start = new ProcessResources(10, 1, 1000, 500, 600);
        ProcessResources end = new ProcessResources(15.5, 1.25, 1600, 700, 800);

        ProcessResources interval = end.since(start);

        assertThat(interval.userSeconds()).isCloseTo(5.5, within(1e-9));
        assertThat(interval.systemSeconds()).isCloseTo(0.25, within(1e-9));
        assertThat(interval.minorFaults()).isEqualTo(600);
        assertThat(interval.residentBytes()).isEqualTo(700);
        assertThat(interval.peakResidentBytes()).isEqualTo(800);
    }

    @Test
    void thisProcessHasSpentCpuAndHoldsMemory() {
        ProcessResources now = ProcessResources.now();

        assertThat(now.userSeconds()).isPositive();
        assertThat(now.peakResidentBytes()).isGreaterThanOrEqualTo(now.residentBytes()).isPositive();
    }
}
