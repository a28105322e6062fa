package io.cifarstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

/** The rules every topic contract follows, and the guard on changing one. */
class SchemaContractsTest {

    private static final List<AvroSerde<?>> SERDES = List.of(AvroSerde.imageEvents(), AvroSerde.predictions(),
            AvroSerde.labels(), AvroSerde.metricsSnapshots(), AvroSerde.deadLetters(), AvroSerde.modelReferences(),
            AvroSerde.alerts());
    private static final List<Schema> CONTRACTS = SERDES.stream().map(AvroSerde::schema).toList();

    /**
     * The fingerprint of every contract as committed. A change to a schema's fields changes its fingerprint;
     * before changing one, the old .avsc goes to avro-history, or readers lose the records already written.
     */
    private static final Map<String, String> COMMITTED_FINGERPRINTS = Map.of(
            "ImageEvent", "0x5ed1888cc92ebd10",
            "Prediction", "0xa77a9e74a3ae5262",
            "Label", "0x2f29be72953b8c8c",
            "MetricsSnapshot", "0x0e85c6c3d374b26d",
            "DeadLetter", "0x64335a72fa2938f8",
            "ModelReference", "0x2c1fd5cbd1768960",
            "Alert", "0xc1736f2936590088");

    private static final Pattern SNAKE_CASE = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");
    private static final Pattern HISTORY_FILE = Pattern.compile("([A-Za-z]+)-v([1-9][0-9]*)\\.avsc");

    @Test
    void contractsLiveInTheProjectNamespace() {
        assertThat(CONTRACTS).extracting(Schema::getNamespace).containsOnly("io.cifarstream.schemas");
    }

    @Test
    void everyFieldHasASnakeCaseNameAndADoc() {
        for (Schema contract : CONTRACTS) {
            for (Schema.Field field : contract.getFields()) {
                assertThat(field.name()).as("%s field name", contract.getName()).matches(SNAKE_CASE);
                assertThat(field.doc()).as("doc of %s.%s", contract.getName(), field.name()).isNotBlank();
            }
            assertThat(contract.getDoc()).as("doc of %s", contract.getName()).isNotBlank();
        }
    }

    @Test
    void everyEnumIsDocumented() {
        for (Schema contract : CONTRACTS) {
            for (Schema.Field field : contract.getFields()) {
                if (field.schema().getType() == Schema.Type.ENUM) {
                    assertThat(field.schema().getDoc()).as("doc of enum %s", field.schema().getName()).isNotBlank();
                }
            }
        }
    }

    @Test
    void aChangedSchemaKeepsItsPreviousVersionInTheHistory() {
        for (AvroSerde<?> serde : SERDES) {
            Schema contract = serde.schema();
            String committed = COMMITTED_FINGERPRINTS.get(contract.getName());
            String current = fingerprint(contract);
            List<String> known = serde.writerSchemas().stream().map(SchemaContractsTest::fingerprint).toList();
            assertThat(known)
                    .as("%s changed (fingerprint %s, committed %s). Copy the committed .avsc from version control"
                            + " to src/main/resources/avro-history/%s-vN.avsc, then set its committed fingerprint"
                            + " here to %s.", contract.getName(), current, committed, contract.getName(), current)
                    .contains(committed);
            assertThat(current).as("%s's committed fingerprint: set it to %s once the old version is in"
                    + " avro-history.", contract.getName(), current).isEqualTo(committed);
        }
    }

    @Test
    void historyFilesAreNumberedVersionsOfCurrentContractsWithoutGaps() throws IOException {
        Path history = Path.of("src/main/resources", WriterSchemaHistory.DIRECTORY);
        Map<String, List<Integer>> versions = new TreeMap<>();
        try (Stream<Path> files = Files.list(history)) {
            for (Path file : files.map(Path::getFileName).toList()) {
                if (file.toString().equals("README.md")) {
                    continue;
                }
                Matcher m = HISTORY_FILE.matcher(file.toString());
                assertThat(m.matches()).as("%s in %s must be named <Record>-v<N>.avsc", file, history).isTrue();
                versions.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(Integer.parseInt(m.group(2)));
            }
        }
        List<String> names = CONTRACTS.stream().map(Schema::getName).toList();
        versions.forEach((record, numbers) -> {
            assertThat(names).as("history of an unknown record").contains(record);
            assertThat(numbers.stream().sorted().collect(Collectors.toList()))
                    .as("versions of %s must run 1, 2, ... without gaps", record)
                    .isEqualTo(Stream.iterate(1, n -> n + 1).limit(numbers.size()).toList());
        });
    }

    private static String fingerprint(Schema schema) {
        return String.format("0x%016x", SchemaNormalization.parsingFingerprint64(schema));
    }
}
