package io.cifarstream.inference;

import io.cifarstream.schemas.CifarShape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.cifarstream.console.Setting;

/**
 * A 10-class image classifier in ONNX Runtime that maps 32x32 RGB images (8-bit, CHW, the CIFAR-10 layout) to
 * natural-log probabilities, for callers that hand it batches of up to {@link #maxBatch()} (any size works).
 *
 * <h2>Lanes, not intra-op threads</h2>
 * On the CPU a batch is cut into chunks of up to {@value #LANE_BATCH} images, and {@link #lanes()} lanes score
 * chunks in parallel: the calling thread is the first lane, the others are this classifier's own threads. Each lane
 * makes its own single-threaded ONNX Runtime call on the one shared session. Measured on the 2-core machine, same
 * model: two lanes score 11,174 images/s (chunks of 32) where one call with two intra-op threads scores 9,541
 * (batch 256); and when a broker takes a core away for a moment, a lane just takes fewer chunks, while an intra-op
 * pool waits at every operator for the thread that lost its core. With CUDA there is one lane and no chunking: the
 * GPU wants whole batches.
 *
 * <p>Each lane's input and output buffers are direct, allocated once and reused: a chunk costs one copy of its pixels
 * into the input buffer (with the normalization the model needs) and one copy of the results out, nothing per
 * record. Tensors over those buffers are cached per chunk size, so ONNX Runtime reads and writes them in place
 * (pinned outputs). Not thread-safe: one caller at a time (the lanes are its helpers, not its peers).
 */
public final class OnnxClassifier implements AutoCloseable {
    /**
     * Images per lane call on the CPU: one core scores this CNN as fast in chunks of 32 as in chunks of 128 or 256
     * (measured), and small chunks keep the lanes even when one of them loses its core for a while.
     */
    public static final int LANE_BATCH = 32;

    private final Path path;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final ModelMetadata metadata;
    private final String version;
    private final String inputName;
    private final String outputName;
    private final boolean uint8Input;
    private final InputConvention convention;
    private final OutputKind outputKind;
    private final int maxBatch;
    private final Lane[] lanes;
    private final LaneCrew crew;
    /** The scoring begun and not finished, if any: the lanes' buffers are its until then. */
    private Scoring open;

    private OnnxClassifier(Path path, OrtEnvironment env, OrtSession session, ModelOptions options, int maxBatch,
            int laneCount, int laneBatch) throws OrtException, IOException {
        this.path = path;
        this.env = env;
        this.session = session;
        this.maxBatch = maxBatch;
        this.metadata = new ModelMetadata(session.getMetadata().getCustomMetadata());
        this.version = metadata.get(ModelMetadata.VERSION).orElse(contentHash(path));

        Map.Entry<String, NodeInfo> input = single(session.getInputInfo(), "input");
        Map.Entry<String, NodeInfo> output = single(session.getOutputInfo(), "output");
        this.inputName = input.getKey();
        this.outputName = output.getKey();
        TensorInfo in = (TensorInfo) input.getValue().getInfo();
        TensorInfo out = (TensorInfo) output.getValue().getInfo();
        requireShape(in, new long[] {-1, CifarShape.CHANNELS, CifarShape.SIDE, CifarShape.SIDE}, "input");
        requireShape(out, new long[] {-1, CifarShape.CLASSES}, "output");
        this.uint8Input = in.type == OnnxJavaType.UINT8;
        if (!uint8Input && in.type != OnnxJavaType.FLOAT) {
            throw new ModelUnusableException(Setting.MODEL, path + ": the model's input is " + in.type
                    + "; cifar-stream feeds float32 or uint8", null);
        }
        if (out.type != OnnxJavaType.FLOAT) {
            throw new ModelUnusableException(Setting.MODEL, path + ": the model's output is " + out.type
                    + "; cifar-stream reads float32", null);
        }
        this.convention = InputConvention.of(metadata, options);
        this.outputKind = metadata.output().orElse(options.output().orElse(OutputKind.LOGITS));

        this.lanes = new Lane[laneCount];
        for (int i = 0; i < laneCount; i++) {
            lanes[i] = new Lane(laneBatch);
        }
        this.crew = new LaneCrew(laneCount, String.valueOf(path.getFileName()));
    }

    /**
     * Loads a model, checks that it maps [N,3,32,32] to [N,10], and prepares each lane's buffers: for chunks of up to
     * {@value #LANE_BATCH} images on the CPU, of up to {@code maxBatch} with CUDA (one lane, whole batches). Errors
     * are {@link ModelUnusableException}s naming the file and the fix.
     */
    public static OnnxClassifier load(Path model, ModelOptions options, int maxBatch) {
        if (!Files.isRegularFile(model)) {
            throw new ModelUnusableException(Setting.MODEL, "no model file at " + model
                    + ": train one, or give the path of an .onnx file", null);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session = null;
        boolean cpu = isCpu(options);
        int laneCount = cpu ? (options.threads() > 0 ? options.threads() : Runtime.getRuntime().availableProcessors()) : 1;
        int laneBatch = cpu ? Math.min(maxBatch, LANE_BATCH) : maxBatch;
        try (OrtSession.SessionOptions so = sessionOptions(options)) {
            session = env.createSession(model.toString(), so);
            return new OnnxClassifier(model, env, session, options, maxBatch, laneCount, laneBatch);
        } catch (OrtException e) {
            closeQuietly(session);
            throw new ModelUnusableException(Setting.MODEL, model + " is not a model ONNX Runtime can run (" + e.getMessage()
                    + "): export it again, or check that it is an ONNX file", e);
        } catch (IOException e) {
            closeQuietly(session);
            throw new ModelUnusableException(Setting.MODEL, "cannot read " + model + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
    }

    /** Loads with batches of up to 256 images. */
    public static OnnxClassifier load(Path model, ModelOptions options) {
        return load(model, options, 256);
    }

    /**
     * Writes the graph ONNX Runtime builds from {@code model} with the session settings {@link #load} uses (fused
     * and rewritten, e.g. QDQ into QLinearConv) to {@code target}, for checking what runs. The file may hold operators
     * of ONNX Runtime's own domains and layouts of this machine's kernels: it is for reading, not for deploying.
     */
    public static void writeOptimizedGraph(Path model, ModelOptions options, Path target) {
        try (OrtSession.SessionOptions so = sessionOptions(options)) {
            so.setOptimizedModelFilePath(target.toString());
            OrtEnvironment.getEnvironment().createSession(model.toString(), so).close();
        } catch (OrtException e) {
            throw new ModelUnusableException(Setting.MODEL, model + " is not a model ONNX Runtime can run ("
                    + e.getMessage() + "): export it again, or check that it is an ONNX file", e);
        }
    }

    private static OrtSession.SessionOptions sessionOptions(ModelOptions options) throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        // Every run() is single-threaded on its caller: the parallelism is the lanes'.
        so.setIntraOpNumThreads(1);
        so.setInterOpNumThreads(1);
        so.addConfigEntry("session.intra_op.allow_spinning", "0");
        so.addConfigEntry("session.inter_op.allow_spinning", "0");
        String device = options.device().trim().toLowerCase(Locale.ROOT);
        if (device.startsWith("cuda")) {
            int id = device.equals("cuda") ? 0 : parseCudaId(device);
            try {
                so.addCUDA(id);
            } catch (OrtException | UnsatisfiedLinkError e) {
                so.close();
                throw new ModelUnusableException(Setting.DEVICE, "device " + device + " asked for CUDA, but ONNX "
                        + "Runtime's CUDA provider could not start (" + e.getMessage() + "): build with `mvn -Pcuda "
                        + "package` on a machine with CUDA 12 and cuDNN 9 and an NVIDIA GPU, or run on the CPU", e);
            }
        } else if (!device.equals("cpu")) {
            so.close();
            throw new ModelUnusableException(Setting.DEVICE, "unknown device '" + options.device()
                    + "': use cpu, cuda or cuda:N", null);
        }
        return so;
    }

    private static boolean isCpu(ModelOptions options) {
        return !options.device().trim().toLowerCase(Locale.ROOT).startsWith("cuda");
    }

    private static int parseCudaId(String device) {
        try {
            if (!device.startsWith("cuda:")) {
                throw new NumberFormatException(device);
            }
            return Integer.parseInt(device.substring(5));
        } catch (NumberFormatException e) {
            throw new ModelUnusableException(Setting.DEVICE, "unknown device '" + device
                    + "': use cpu, cuda or cuda:N (N = GPU index)", e);
        }
    }

    /**
     * Classifies images {@code first .. first+count-1} of {@code pixels} (each {@link #PIXELS} bytes, CHW) and writes
     * {@code count * 10} log-probabilities into {@code out} from index 0. Any {@code count} is fine: the work is
     * split into chunks over the lanes.
     */
    public void logProbabilities(byte[] pixels, int first, int count, float[] out) {
        logProbabilities(pixels, first, count, out, 0);
    }

    /** As {@link #logProbabilities(byte[], int, int, float[])}, writing into {@code out} from index {@code outOffset}. */
    public void logProbabilities(byte[] pixels, int first, int count, float[] out, int outOffset) {
        begin(pixels, first, count, out, outOffset).finish();
    }

    /**
     * Starts what {@link #logProbabilities(byte[], int, int, float[], int)} does and returns before it is done: the
     * other lanes take chunks at once, and the caller's lane joins when it calls {@link Scoring#finish()}, which
     * returns once every image is scored. Until then the caller may do other work (the scorer decodes its next
     * records, so that the second core does not wait for it), but must leave these images' pixels and outputs alone
     * and call nothing else on this classifier.
     *
     * @throws IllegalStateException when a scoring begun earlier is not finished
     */
    public Scoring begin(byte[] pixels, int first, int count, float[] out, int outOffset) {
        if (outOffset < 0 || out.length - outOffset < count * CifarShape.CLASSES) {
            throw new IllegalArgumentException("out holds " + out.length + " floats, need " + count * CifarShape.CLASSES
                    + " from index " + outOffset);
        }
        if (open != null) {
            throw new IllegalStateException("a scoring begun on " + path + " is not finished: finish it first");
        }
        GuidedChunks chunks = new GuidedChunks(count, lanes.length, lanes[0].capacity);
        open = new Scoring(crew.start(Math.max(1, Math.min(lanes.length, count)),
                lane -> scoreChunks(lanes[lane], chunks, pixels, first, out, outOffset)));
        return open;
    }

    /** A scoring begun by {@link #begin}, until its caller finishes it. */
    public final class Scoring {
        private final LaneCrew.Started started;

        private Scoring(LaneCrew.Started started) {
            this.started = started;
        }

        /**
         * Works as the first lane until no chunk is left, waits for the other lanes, and rethrows the first failure;
         * the classifier takes new work after it, failed or not.
         *
         * @throws IllegalStateException when it was finished already
         */
        public void finish() {
            if (open != this) {
                throw new IllegalStateException("this scoring on " + path + " was finished already");
            }
            try {
                started.finish();
            } finally {
                open = null;
            }
        }
    }

    /** The class with the highest of the 10 log-probabilities of record {@code record} in {@code logProbabilities}. */
    public static int predictedClass(float[] logProbabilities, int record) {
        int best = 0;
        int from = record * CifarShape.CLASSES;
        for (int k = 1; k < CifarShape.CLASSES; k++) {
            if (logProbabilities[from + k] > logProbabilities[from + best]) {
                best = k;
            }
        }
        return best;
    }

    /** Scores chunks on {@code lane} until none is left; a failure leaves none for the other lanes either. */
    private static void scoreChunks(Lane lane, GuidedChunks chunks, byte[] pixels, int first, float[] out,
            int outOffset) {
        try {
            for (long chunk = chunks.next(); chunk != GuidedChunks.NONE; chunk = chunks.next()) {
                int done = GuidedChunks.first(chunk);
                lane.score(pixels, (long) (first + done) * CifarShape.PIXELS, GuidedChunks.size(chunk), out,
                        outOffset + done * CifarShape.CLASSES);
            }
        } catch (RuntimeException e) {
            chunks.abandon();
            throw e;
        }
    }

    /** A lane's reused input and output buffers, and tensors over them per chunk size. */
    private final class Lane {
        private final int capacity;
        private final ByteBuffer inputBytes;
        private final FloatBuffer inputFloats;
        private final FloatBuffer outputFloats;
        private final OnnxTensor[] inputTensors;
        private final OnnxTensor[] outputTensors;

        Lane(int capacity) {
            this.capacity = capacity;
            this.inputBytes = ByteBuffer.allocateDirect(capacity * CifarShape.PIXELS * (uint8Input ? 1 : Float.BYTES))
                    .order(ByteOrder.nativeOrder());
            this.inputFloats = uint8Input ? null : inputBytes.asFloatBuffer();
            this.outputFloats = ByteBuffer.allocateDirect(capacity * CifarShape.CLASSES * Float.BYTES)
                    .order(ByteOrder.nativeOrder()).asFloatBuffer();
            this.inputTensors = new OnnxTensor[capacity + 1];
            this.outputTensors = new OnnxTensor[capacity + 1];
        }

        /** Scores {@code n <= capacity} images from byte {@code start} of {@code pixels} into {@code out[outOffset..]}. */
        void score(byte[] pixels, long start, int n, float[] out, int outOffset) {
            fillInput(pixels, start, n);
            run(n, out, outOffset);
        }

        private void fillInput(byte[] pixels, long start, int n) {
            if (uint8Input) {
                inputBytes.clear();
                inputBytes.put(pixels, Math.toIntExact(start), n * CifarShape.PIXELS);
                return;
            }
            convention.fill(pixels, Math.toIntExact(start), n, inputFloats);
        }

        private void run(int n, float[] out, int outOffset) {
            try {
                OnnxTensor in = inputTensors[n];
                OnnxTensor o = outputTensors[n];
                if (in == null) {
                    long[] inShape = {n, CifarShape.CHANNELS, CifarShape.SIDE, CifarShape.SIDE};
                    in = uint8Input
                            ? OnnxTensor.createTensor(env, inputBytes.slice(0, n * CifarShape.PIXELS), inShape, OnnxJavaType.UINT8)
                            : OnnxTensor.createTensor(env, inputFloats.slice(0, n * CifarShape.PIXELS), inShape);
                    o = OnnxTensor.createTensor(env, outputFloats.slice(0, n * CifarShape.CLASSES), new long[] {n, CifarShape.CLASSES});
                    inputTensors[n] = in;
                    outputTensors[n] = o;
                }
                try (OrtSession.Result ignored = session.run(Map.of(inputName, in), Map.of(outputName, o))) {
                    outputFloats.get(0, out, outOffset, n * CifarShape.CLASSES);
                }
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime failed on a batch of " + n + " images of " + path + ": "
                        + e.getMessage(), e);
            }
            if (outputKind != OutputKind.LOG_PROBS) {
                for (int i = 0; i < n; i++) {
                    outputKind.toLogProbabilities(out, outOffset + i * CifarShape.CLASSES, CifarShape.CLASSES);
                }
            }
        }

        void close() {
            for (int i = 0; i <= capacity; i++) {
                closeQuietly(inputTensors[i]);
                closeQuietly(outputTensors[i]);
            }
        }
    }

    public Path path() {
        return path;
    }

    public ModelMetadata metadata() {
        return metadata;
    }

    /** The model's version: its metadata's content hash, else the first 16 hex digits of the file's SHA-256. */
    public String version() {
        return version;
    }

    public int maxBatch() {
        return maxBatch;
    }

    /** How many chunks run at once: {@code --threads} on the CPU (default: the cores), 1 with CUDA. */
    public int lanes() {
        return lanes.length;
    }

    /** The class names the model declares, else CIFAR-10's class indices as text. */
    public List<String> classNames() {
        return metadata.classNames().orElseGet(() -> {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < CifarShape.CLASSES; i++) {
                names.add(Integer.toString(i));
            }
            return names;
        });
    }

    @Override
    public void close() {
        crew.close();
        for (Lane lane : lanes) {
            lane.close();
        }
        closeQuietly(session);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing native handles at shutdown: nothing left to do about a failure
            }
        }
    }

    private static Map.Entry<String, NodeInfo> single(Map<String, NodeInfo> infos, String what) {
        if (infos.size() != 1) {
            throw new ModelUnusableException(Setting.MODEL, "the model has " + infos.size() + " " + what + "s "
                    + infos.keySet() + "; cifar-stream runs classifiers with one image input and one [N,10] output",
                    null);
        }
        return infos.entrySet().iterator().next();
    }

    private void requireShape(TensorInfo info, long[] expected, String what) {
        long[] shape = info.getShape();
        boolean ok = shape.length == expected.length;
        for (int i = 0; ok && i < shape.length; i++) {
            ok = expected[i] < 0 || shape[i] < 0 || shape[i] == expected[i];
        }
        if (!ok) {
            throw new ModelUnusableException(Setting.MODEL, path + ": the model's " + what + " has shape "
                    + java.util.Arrays.toString(shape)
                    + " but cifar-stream needs " + java.util.Arrays.toString(expected).replace("-1", "N")
                    + ": use a CIFAR-10 classifier (3x32x32 images in, 10 classes out)", null);
        }
    }

    private static String contentHash(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
