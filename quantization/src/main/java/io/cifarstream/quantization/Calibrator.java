package io.cifarstream.quantization;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.cifarstream.inference.InputConvention;
import io.cifarstream.onnx.TensorValues;
import io.cifarstream.onnx.proto.Onnx.GraphProto;
import io.cifarstream.onnx.proto.Onnx.ModelProto;
import io.cifarstream.schemas.CifarShape;

/**
 * Runs the fp32 model on calibration images with the activations to measure added as graph outputs, in two passes:
 * each tensor's min and max, then its histogram of |x| over [0, max |x|].
 */
final class Calibrator {
    private static final int BATCH = 100;

    private final ModelProto model;
    private final String inputName;
    private final InputConvention convention;

    /**
     * @param inputName  the graph input that takes the images
     * @param convention how the images become that input
     */
    Calibrator(ModelProto model, String inputName, InputConvention convention) {
        this.model = model;
        this.inputName = inputName;
        this.convention = convention;
    }

    /** Statistics of each of {@code tensors} over the {@code count} images in {@code pixels}. */
    Map<String, ActivationStatistics> measure(Set<String> tensors, byte[] pixels, int count) {
        Map<String, ActivationStatistics> statistics = new LinkedHashMap<>();
        tensors.forEach(t -> statistics.put(t, new ActivationStatistics()));
        Set<String> outputs = new LinkedHashSet<>(tensors);
        outputs.remove(inputName);
        GraphProto.Builder graph = model.getGraph().toBuilder();
        outputs.forEach(t -> graph.addOutput(TensorValues.floats(t)));
        byte[] calibrationModel = model.toBuilder().setGraph(graph).build().toByteArray();

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        FloatBuffer input = ByteBuffer.allocateDirect(BATCH * CifarShape.PIXELS * Float.BYTES)
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        float[] inputValues = new float[BATCH * CifarShape.PIXELS];
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            try (OrtSession session = env.createSession(calibrationModel, options)) {
                for (boolean histogram : new boolean[] {false, true}) {
                    for (int first = 0; first < count; first += BATCH) {
                        int n = Math.min(BATCH, count - first);
                        convention.fill(pixels, first * CifarShape.PIXELS, n, input);
                        try (OnnxTensor tensor = OnnxTensor.createTensor(env, input.slice(0, n * CifarShape.PIXELS),
                                new long[] {n, CifarShape.CHANNELS, CifarShape.SIDE, CifarShape.SIDE});
                                OrtSession.Result result = session.run(Map.of(inputName, tensor), outputs)) {
                            for (Map.Entry<String, ActivationStatistics> entry : statistics.entrySet()) {
                                float[] values;
                                int size;
                                if (entry.getKey().equals(inputName)) {
                                    input.get(0, inputValues, 0, n * CifarShape.PIXELS);
                                    values = inputValues;
                                    size = n * CifarShape.PIXELS;
                                } else {
                                    FloatBuffer output = ((OnnxTensor) result.get(entry.getKey()).orElseThrow())
                                            .getFloatBuffer();
                                    size = output.remaining();
                                    values = new float[size];
                                    output.get(values);
                                }
                                if (histogram) {
                                    entry.getValue().observeHistogram(values, size);
                                } else {
                                    entry.getValue().observeRange(values, size);
                                }
                            }
                        }
                    }
                }
            }
        } catch (OrtException e) {
            throw new ModelNotQuantizableException("ONNX Runtime could not run the model with its activations as "
                    + "outputs for calibration (" + e.getMessage() + "): quantize a float32 model it can run");
        }
        return statistics;
    }
}
