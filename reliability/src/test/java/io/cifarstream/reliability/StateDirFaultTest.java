package io.cifarstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.schemas.TopicNames;
import io.cifarstream.testkit.KafkaBroker;
import io.cifarstream.testkit.KafkaBrokerExtension;

/**
 * {@code cifar-stream metrics} with a state directory it cannot create exits 1 with one line that names the path and
 * the option to change, before it touches Kafka, and leaves what is in the way as it was. A regular file in the path
 * makes {@code mkdir} fail for every user, root included (file permissions would not stop root, who runs CI).
 */
@ExtendWith({KafkaBrokerExtension.class, ReliabilityTableExtension.class})
class StateDirFaultTest {

    private static final String IN_THE_WAY = "a file where the state directory should be\n";

    @Test
    void aStateDirUnderARegularFileIsRefusedBeforeMetricsStartsInOneLineNamingTheFlag(KafkaBroker broker, ReliabilityTable table,
            @TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-directory"), IN_THE_WAY);
        assertRefused(broker, table, dir, file.resolve("state"), file, "state dir below a regular file");
    }

    @Test
    void aStateDirThatIsARegularFileIsRefusedBeforeMetricsStartsInOneLineNamingTheFlag(KafkaBroker broker, ReliabilityTable table,
            @TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("state"), IN_THE_WAY);
        assertRefused(broker, table, dir, file, file, "state dir is a regular file");
    }

    /** Refused when the flags are read: a usage error (exit 2) naming the flag, what it takes and the path given. */
    private static void assertRefused(KafkaBroker broker, ReliabilityTable table, Path dir, Path stateDir, Path file,
            String experiment) throws Exception {
        String prefix = "faults-state-" + System.nanoTime() + "-";
        TopicNames topics = TopicNames.defaults().withPrefix(prefix);
        CliProcess metrics = MetricsKillTest.startMetrics(broker.settings(), topics, "faults-state", stateDir, dir, 0);
        int exit = metrics.awaitExit(Duration.ofMinutes(1));
        String log = metrics.log();
        List<String> errors = log.lines().filter(line -> line.startsWith("error:")).toList();
        String refusal = "--state-dir must be a folder that can be written";
        boolean clear = exit == 2 && errors.size() == 1 && errors.get(0).contains(stateDir.toAbsolutePath().toString())
                && errors.get(0).contains(refusal);
        table.record(new ReliabilityTable.Row("metrics", experiment, 1, 0, 0, 0, 0, 0,
                "exit " + exit + (clear ? ", one line: cause and --state-dir" : ", NO clear error line")));

        assertThat(exit).as("exit code; output:\n%s", log).isEqualTo(2);
        assertThat(errors).as("error lines; output:\n%s", log).singleElement().asString()
                .contains(stateDir.toAbsolutePath().toString(), refusal);
        assertThat(log).as("no stack trace").doesNotContain("\tat ", "Exception");
        assertThat(Files.readString(file)).as("what was in the way is untouched").isEqualTo(IN_THE_WAY);
        try (Admin admin = Admin.create(broker.settings().admin())) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                    .as("refused before it created any topic").noneMatch(name -> name.startsWith(prefix));
        }
    }
}
