package io.cifarstream.broker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Ports for Kafka's listeners: free when claimed, never from the kernel's ephemeral range, never given twice. */
class ListenPortsTest {

    @Test
    void portZeroBecomesAFreePortBelowTheEphemeralRangeAndNoneIsGivenTwice() throws IOException {
        assumeTrue(Files.exists(ListenPorts.EPHEMERAL_RANGE), "a Linux kernel's ephemeral port range");
        int ephemeralLow = ListenPorts.ephemeralLow(ListenPorts.EPHEMERAL_RANGE);
        assertThat(ephemeralLow).as("the kernel's ephemeral range, read").isGreaterThan(ListenPorts.LOWEST);
        ListenPorts ports = ListenPorts.on("localhost");
        Set<Integer> given = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int port = ports.claim(0, "a test port");
            assertThat(given.add(port)).as("port %d given twice", port).isTrue();
            assertThat(port).isBetween(ListenPorts.LOWEST, ephemeralLow - 1);
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(InetAddress.getByName("localhost"), port));
            }
        }
    }

    @Test
    void theEphemeralRangeIsReadFromTheKernelsFileAndAnUnreadableOneLeavesNoRoomBelowIt(@TempDir Path dir)
            throws IOException {
        Path range = Files.writeString(dir.resolve("ip_local_port_range"), "32768\t60999\n");
        assertThat(ListenPorts.ephemeralLow(range)).isEqualTo(32_768);
        if (Files.exists(ListenPorts.EPHEMERAL_RANGE)) {
            String kernels;
            try (var in = Files.newInputStream(ListenPorts.EPHEMERAL_RANGE)) {
                kernels = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim();
            }
            assertThat(ListenPorts.ephemeralLow(ListenPorts.EPHEMERAL_RANGE)).isEqualTo(Integer.parseInt(kernels.split("\\s+")[0]));
        }
        assertThat(ListenPorts.ephemeralLow(dir.resolve("absent"))).isEqualTo(ListenPorts.LOWEST);
        assertThat(ListenPorts.ephemeralLow(Files.writeString(dir.resolve("garbled"), "many"))).isEqualTo(ListenPorts.LOWEST);
    }

    @Test
    void withNoRoomBelowTheRangeTheKernelChoosesStillNeverTheSamePortTwice() {
        ListenPorts ports = new ListenPorts("localhost", ListenPorts.LOWEST, ListenPorts.LOWEST);
        Set<Integer> given = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            assertThat(given.add(ports.claim(0, "a test port"))).isTrue();
        }
    }

    @Test
    void aRangeWithOnePortGivesItOnceThenLeavesTheChoiceToTheKernel() {
        int only;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("localhost"))) {
            only = probe.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        ListenPorts ports = new ListenPorts("localhost", only, only + 1);
        assertThat(ports.claim(0, "a test port")).isEqualTo(only);
        assertThat(ports.claim(0, "a test port")).isNotEqualTo(only);
    }

    @Test
    void aPortAskedForThatIsTakenIsRefusedNamingThePortAndWhichItIs() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("localhost"))) {
            ListenPorts ports = ListenPorts.on("localhost");
            assertThatThrownBy(() -> ports.claim(taken.getLocalPort(), "the controller port"))
                    .isInstanceOf(PortInUseException.class)
                    .hasMessageStartingWith("the controller port " + taken.getLocalPort() + " is already in use");
        }
    }
}
