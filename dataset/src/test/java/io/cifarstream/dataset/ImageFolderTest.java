package io.cifarstream.dataset;

import io.cifarstream.schemas.CifarShape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.OptionalInt;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Folders of PNG/JPEG files written from real CIFAR-10 test images, labelled by their class sub-folders. */
class ImageFolderTest {
    private static CifarImages test;

    @TempDir
    Path root;

    @BeforeAll
    static void readTestSplit() throws IOException {
        test = Cifar10.open(SharedCifarCopy.location()).test();
    }

    @Test
    void cifarClassFoldersKeepTheOfficialLabelsEvenWhenOnlySomeArePresent() throws IOException {
        int cat = firstRecordOfClass(3);
        int ship = firstRecordOfClass(8);
        writeImage(cat, "cat/a.png");
        writeImage(ship, "Ship/deeper/b.PNG");

        ImageFolder folder = ImageFolder.scan(root);

        assertThat(folder.classNames()).isEqualTo(Cifar10.OFFICIAL_CLASS_NAMES);
        assertThat(folder.entries()).containsExactly(
                new ImageFolder.Entry(root.resolve("Ship/deeper/b.PNG"), OptionalInt.of(8), "Ship/deeper/b.PNG"),
                new ImageFolder.Entry(root.resolve("cat/a.png"), OptionalInt.of(3), "cat/a.png"));
    }

    @Test
    void otherClassFoldersAreNumberedInSortedOrder() throws IOException {
        writeImage(0, "zebras/0.png");
        writeImage(1, "apes/1.png");
        writeImage(2, "apes/2.jpg");

        ImageFolder folder = ImageFolder.scan(root);

        assertThat(folder.classNames()).containsExactly("apes", "zebras");
        assertThat(folder.entries()).extracting(ImageFolder.Entry::id, ImageFolder.Entry::label).containsExactly(
                tuple("apes/1.png", OptionalInt.of(0)),
                tuple("apes/2.jpg", OptionalInt.of(0)),
                tuple("zebras/0.png", OptionalInt.of(1)));
    }

    @Test
    void filesInTheRootAreUnlabelledAndNonImagesAndHiddenFilesAreSkipped() throws IOException {
        writeImage(0, "0.png");
        writeImage(1, "1.JPEG");
        writeImage(2, ".hidden.png");
        writeImage(3, ".cache/3.png");
        Files.writeString(root.resolve("notes.txt"), "not an image");

        ImageFolder folder = ImageFolder.scan(root);

        assertThat(folder.classNames()).isEmpty();
        assertThat(folder.entries()).extracting(ImageFolder.Entry::id).containsExactly("0.png", "1.JPEG");
        assertThat(folder.entries()).allSatisfy(entry -> assertThat(entry.label()).isEmpty());
    }

    @Test
    void entriesDecodeBackToTheRecordsTheyWereWrittenFrom() throws IOException {
        for (int i = 0; i < 20; i++) {
            writeImage(i, test.classNames().get(test.label(i)) + "/" + test.id(i) + ".png");
        }
        ImageDecoder decoder = new ImageDecoder();

        ImageFolder folder = ImageFolder.scan(root);

        assertThat(folder.entries()).hasSize(20);
        for (ImageFolder.Entry entry : folder.entries()) {
            int record = Integer.parseInt(entry.id().replaceAll(".*test-(\\d+)\\.png", "$1"));
            assertThat(entry.label()).hasValue(test.label(record));
            assertThat(decoder.decode(Files.readAllBytes(entry.path()))).isEqualTo(Arrays.copyOfRange(test.pixels(),
                    record * CifarShape.PIXELS, (record + 1) * CifarShape.PIXELS));
        }
    }

    @Test
    void missingEmptyOrFileRootsAreRefusedWithTheReason() throws IOException {
        Path missing = root.resolve("missing");
        assertThatThrownBy(() -> ImageFolder.scan(missing))
                .isInstanceOf(DataUnavailableException.class)
                .hasMessageStartingWith("image folder " + missing + " does not exist.");
        Path file = Files.writeString(root.resolve("file.png"), "x");
        assertThatThrownBy(() -> ImageFolder.scan(file))
                .hasMessageStartingWith("image folder " + file + " is not a folder.");
        Path empty = Files.createDirectory(root.resolve("empty"));
        assertThatThrownBy(() -> ImageFolder.scan(empty))
                .hasMessage("image folder " + empty + " holds no .png, .jpg or .jpeg file (sub-folders searched too).");
    }

    private static int firstRecordOfClass(int label) {
        for (int i = 0; i < test.size(); i++) {
            if (test.label(i) == label) {
                return i;
            }
        }
        throw new AssertionError("no record of class " + label);
    }

    /** Writes real test record {@code i} to {@code relative}, as JPEG when the name says so, else PNG. */
    private void writeImage(int i, String relative) throws IOException {
        BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_3BYTE_BGR);
        byte[] pixels = test.pixels();
        int base = i * CifarShape.PIXELS;
        for (int p = 0; p < 1024; p++) {
            image.setRGB(p % 32, p / 32, (pixels[base + p] & 0xff) << 16 | (pixels[base + 1024 + p] & 0xff) << 8
                    | (pixels[base + 2048 + p] & 0xff));
        }
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        String lower = relative.toLowerCase(Locale.ROOT);
        String format = lower.endsWith(".jpg") || lower.endsWith(".jpeg") ? "jpeg" : "png";
        assertThat(ImageIO.write(image, format, file.toFile())).isTrue();
    }
}
