package io.cifarstream.dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The PNG and JPEG files under a folder, labelled by class sub-folder like torchvision's {@code ImageFolder}:
 * a file inside a first-level sub-folder (at any depth below it) belongs to the class named after that sub-folder;
 * files directly in the root are unlabelled. When every sub-folder name is a CIFAR-10 class name (in any case),
 * labels are the official CIFAR-10 indices, so a folder holding only "cat/" and "ship/" still labels them 3 and 8;
 * otherwise the sub-folder names, sorted, are numbered from 0.
 *
 * <p>Files and folders whose names start with "." are skipped; symbolic links are not followed. Entries are
 * sorted by id, the path relative to the root with "/" separators.
 */
public final class ImageFolder {
    /** One image file; {@code label} is empty for files directly in the root. */
    public record Entry(Path path, OptionalInt label, String id) {
        public Entry {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(id, "id");
        }
    }

    private final Path root;
    private final List<String> classNames;
    private final List<Entry> entries;

    private ImageFolder(Path root, List<String> classNames, List<Entry> entries) {
        this.root = root;
        this.classNames = List.copyOf(classNames);
        this.entries = List.copyOf(entries);
    }

    /**
     * Lists the images under {@code root}.
     *
     * @throws DataUnavailableException when root is not a folder or holds no PNG or JPEG file
     */
    public static ImageFolder scan(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new DataUnavailableException("image folder " + root + (Files.exists(root) ? " is not a folder"
                    : " does not exist") + ". Give a folder of .png/.jpg/.jpeg files, optionally in one "
                    + "sub-folder per class.");
        }
        List<String> ids;
        try (Stream<Path> files = Files.walk(root)) {
            ids = files.filter(Files::isRegularFile)
                    .map(file -> root.relativize(file).toString().replace(root.getFileSystem().getSeparator(), "/"))
                    .filter(ImageFolder::isVisibleImage)
                    .sorted(Comparator.naturalOrder())
                    .toList();
        }
        if (ids.isEmpty()) {
            throw new DataUnavailableException("image folder " + root + " holds no .png, .jpg or .jpeg file "
                    + "(sub-folders searched too).");
        }
        TreeSet<String> folders = new TreeSet<>();
        for (String id : ids) {
            int slash = id.indexOf('/');
            if (slash > 0) {
                folders.add(id.substring(0, slash));
            }
        }
        boolean cifar = areCifarClasses(folders);
        List<String> classNames = cifar ? Cifar10.OFFICIAL_CLASS_NAMES : List.copyOf(folders);
        List<Entry> entries = new ArrayList<>(ids.size());
        for (String id : ids) {
            int slash = id.indexOf('/');
            OptionalInt label = OptionalInt.empty();
            if (slash > 0) {
                String folder = id.substring(0, slash);
                label = OptionalInt.of(cifar ? indexIgnoringCase(classNames, folder) : classNames.indexOf(folder));
            }
            entries.add(new Entry(root.resolve(id), label, id));
        }
        return new ImageFolder(root, classNames, entries);
    }

    /** The folder that was scanned. */
    public Path root() {
        return root;
    }

    /** Class names, index = label; empty when the root has no class sub-folders. */
    public List<String> classNames() {
        return classNames;
    }

    /** Every image, sorted by id. */
    public List<Entry> entries() {
        return entries;
    }

    private static boolean isVisibleImage(String id) {
        for (String part : id.split("/")) {
            if (part.startsWith(".")) {
                return false;
            }
        }
        String lower = id.toLowerCase(Locale.ROOT);
        return lower.endsWith(".png") || lower.endsWith(".jpg") || lower.endsWith(".jpeg");
    }

    private static boolean areCifarClasses(TreeSet<String> folders) {
        return !folders.isEmpty()
                && folders.stream().allMatch(name -> indexIgnoringCase(Cifar10.OFFICIAL_CLASS_NAMES, name) >= 0);
    }

    /** Index of {@code name} in {@code names}, ignoring case; -1 when absent. */
    private static int indexIgnoringCase(List<String> names, String name) {
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "ImageFolder[" + root + ", " + entries.size() + " images, " + classNames.size() + " classes]";
    }
}
