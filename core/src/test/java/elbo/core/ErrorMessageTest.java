package elbo.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Bad input gets a typed exception whose message names the op and both shapes, the axis or the argument. */
class ErrorMessageTest {
    private static final DType F64 = DType.FLOAT64;
    private static final DType F32 = DType.FLOAT32;

    private static Tensor z(int... shape) {
        return Tensor.zeros(F64, shape);
    }

    private static void assertShapeError(String message, Executable e) {
        assertEquals(message, assertThrows(ShapeException.class, e).getMessage());
    }

    @Test
    void matmul() {
        assertShapeError("matmul: inner dimensions differ: [2, 3] @ [4, 5]", () -> z(2, 3).matmul(z(4, 5)));
        assertShapeError("matmul: inner dimensions differ: [2, 3] @ [4, 5]ᵀ", () -> z(2, 3).matmulT(z(4, 5)));
        assertShapeError("linear: expected x [.., m, k], W [n, k] and b [n]; got x [2, 3], W [4, 5] and b [4]",
                () -> Tensor.linear(z(2, 3), z(4, 5), z(4)));
        assertShapeError("linear: expected x [.., m, k], W [n, k] and b [n]; got x [2, 3], W [4, 3] and b [5]",
                () -> Tensor.linear(z(2, 3), z(4, 3), z(5)));
        assertShapeError("matmul: inner dimensions differ: [2, 3]ᵀ @ [4, 5]", () -> z(2, 3).tmatmul(z(4, 5)));
        assertShapeError("matmul: inner dimensions differ: [7, 2, 3] @ [7, 4, 5]", () -> z(7, 2, 3).matmul(z(7, 4, 5)));
        assertShapeError("matmul: batch sizes differ: [2, 2, 3] @ [3, 3, 4]", () -> z(2, 2, 3).matmul(z(3, 3, 4)));
        assertShapeError("matmul: operands must be 2-D or 3-D, got [3] @ [3, 4] (left has rank 1)",
                () -> z(3).matmul(z(3, 4)));
        assertShapeError("matmul: operands must be 2-D or 3-D, got [3, 4] @ [1, 2, 4, 5]ᵀ (right has rank 4)",
                () -> z(3, 4).matmulT(z(1, 2, 4, 5)));
    }

    @Test
    void broadcasting() {
        assertShapeError("add: shapes do not broadcast: [2, 3] vs [4]", () -> z(2, 3).add(z(4)));
        assertShapeError("mul: shapes do not broadcast: [2, 1, 3] vs [5, 2]", () -> z(2, 1, 3).mul(z(5, 2)));
        assertShapeError("maximum: shapes do not broadcast: [3] vs [2]", () -> z(3).maximum(z(2)));
        assertShapeError("where: shapes do not broadcast: [2] vs [3]", () -> Tensor.where(z(2), z(3), z(3)));
        assertShapeError("broadcastTo: cannot broadcast [2, 3] to [3, 3]", () -> z(2, 3).broadcastTo(3, 3));
        assertShapeError("broadcastTo: cannot broadcast [2, 3] to [3]", () -> z(2, 3).broadcastTo(3));
    }

    @Test
    void dtypeMismatch() {
        Tensor a = Tensor.zeros(F32, 2), b = Tensor.zeros(F64, 2);
        assertEquals("add: dtypes differ: FLOAT32 [2] vs FLOAT64 [2]",
                assertThrows(DTypeException.class, () -> a.add(b)).getMessage());
        assertEquals("matmul: dtypes differ: FLOAT32 [2, 2] vs FLOAT64 [2, 2]",
                assertThrows(DTypeException.class, () -> Tensor.zeros(F32, 2, 2).matmul(z(2, 2))).getMessage());
        assertEquals("concat: dtypes differ: FLOAT32 [2] vs FLOAT64 [2]",
                assertThrows(DTypeException.class, () -> Tensor.concat(0, a, b)).getMessage());
        assertEquals("where: dtypes differ: FLOAT32 [2] vs FLOAT64 [2]",
                assertThrows(DTypeException.class, () -> Tensor.where(b, a, b)).getMessage());
        assertEquals("f64(): tensor of shape [2] is FLOAT32",
                assertThrows(DTypeException.class, a::f64).getMessage());
    }

    @Test
    void axisOutOfRange() {
        assertShapeError("sum: axis 2 out of range for shape [2, 3]", () -> z(2, 3).sum(2, false));
        assertShapeError("mean: axis -3 out of range for shape [2, 3]", () -> z(2, 3).mean(-3, true));
        assertShapeError("max: axis 5 out of range for shape [2, 3]", () -> z(2, 3).max(5, false));
        assertShapeError("logSumExp: axis 2 out of range for shape [2, 3]", () -> z(2, 3).logSumExp(2, false));
        assertShapeError("narrow: axis 2 out of range for shape [2, 3]", () -> z(2, 3).narrow(2, 0, 1));
        assertShapeError("indexSelect: axis -3 out of range for shape [2, 3]", () -> z(2, 3).indexSelect(-3, 0));
        assertShapeError("gather: axis 2 out of range for shape [2, 3]", () -> z(2, 3).gather(2, new int[6], 1));
        assertShapeError("transpose: axis 2 out of range for shape [2, 3]", () -> z(2, 3).transpose(0, 2));
        assertShapeError("squeeze: axis 2 out of range for shape [2, 3]", () -> z(2, 3).squeeze(2));
        assertShapeError("squeeze: axis 1 has size 3 in shape [2, 3]", () -> z(2, 3).squeeze(1));
        assertShapeError("unsqueeze: axis 3 out of range for shape [2]", () -> z(2).unsqueeze(3));
        assertShapeError("concat: axis 1 out of range for shape [2]", () -> Tensor.concat(1, z(2), z(2)));
        assertShapeError("sum: axis -1 repeated in [1, -1] for shape [2, 3]", () -> z(2, 3).sum(new int[] {1, -1}, false));
        assertShapeError("max: axis 1 has size 0 in shape [2, 0]", () -> z(2, 0).max(1, false));
    }

    @Test
    void narrowOutOfBounds() {
        assertShapeError("narrow: range [1, 4) out of bounds for axis 1 of size 3 in shape [2, 3]",
                () -> z(2, 3).narrow(1, 1, 3));
        assertShapeError("narrow: range [-1, 0) out of bounds for axis 0 of size 2 in shape [2, 3]",
                () -> z(2, 3).narrow(0, -1, 1));
    }

    @Test
    void indexOutOfRange() {
        assertShapeError("indexSelect: index 3 at position 1 out of range for axis 0 of size 3 in shape [3, 2]",
                () -> z(3, 2).indexSelect(0, 0, 3));
        assertShapeError("indexSelect: index -1 at position 0 out of range for axis 1 of size 2 in shape [3, 2]",
                () -> z(3, 2).indexSelect(1, -1));
        assertShapeError("gather: index 2 at position 1 out of range for axis 1 of size 2 in shape [3, 2]",
                () -> z(3, 2).gather(1, new int[] {0, 2, 1}, 1));
        assertShapeError("gather: 2 indices for result shape [3, 1] (3 elements) from [3, 2]",
                () -> z(3, 2).gather(1, new int[] {0, 1}, 1));
        assertShapeError("get: index [0, 2] out of range for shape [3, 2]", () -> z(3, 2).get(0, 2));
        assertShapeError("get: index [0] has rank 1 but the tensor has shape [3, 2]", () -> z(3, 2).get(0));
    }

    @Test
    void reshapePermuteConcatStack() {
        assertShapeError("reshape: cannot reshape [2, 3] (6 elements) to [4, 2] (8 elements)", () -> z(2, 3).reshape(4, 2));
        assertShapeError("reshape: cannot infer -1 in [4, -1] for shape [2, 3] (6 elements)", () -> z(2, 3).reshape(4, -1));
        assertShapeError("reshape: more than one -1 in [-1, -1]", () -> z(2, 3).reshape(-1, -1));
        assertShapeError("permute: [0, 0] is not a permutation of the axes of [2, 3]", () -> z(2, 3).permute(0, 0));
        assertShapeError("permute: [1, 0, 2] is not a permutation of the axes of [2, 3]", () -> z(2, 3).permute(1, 0, 2));
        assertShapeError("concat: shapes differ outside axis 0: [2, 3] vs [2, 4]", () -> Tensor.concat(0, z(2, 3), z(2, 4)));
        assertShapeError("concat: shapes differ outside axis 1: [2, 3] vs [3]", () -> Tensor.concat(1, z(2, 3), z(3)));
        assertShapeError("concat: no tensors given", () -> Tensor.concat(0));
        assertShapeError("stack: shapes differ: [2, 3] vs [3, 2]", () -> Tensor.stack(0, z(2, 3), z(3, 2)));
        assertShapeError("tensor: 5 values do not fill shape [2, 3] (6 elements)", () -> Tensor.of(new double[5], 2, 3));
        assertShapeError("negative dimension in shape [2, -3]", () -> Shape.of(2, -3));
    }

    @Test
    void itemAndBackward() {
        assertShapeError("item: tensor of shape [2] has 2 elements, not 1", () -> z(2).item());
        assertShapeError("item: tensor of shape [0] has 0 elements, not 1", () -> z(0).item());
        Tensor y = z(2).requiresGrad(true).exp();
        assertShapeError("backward: seed shape [3] differs from output shape [2]", () -> y.backward(z(3)));
        assertEquals("backward: seed dtype FLOAT32 differs from output dtype FLOAT64",
                assertThrows(DTypeException.class, () -> y.backward(Tensor.zeros(F32, 2))).getMessage());
    }

    @Test
    void badArguments() {
        assertEquals("clamp: lo 2.0 > hi 1.0",
                assertThrows(IllegalArgumentException.class, () -> z(2).clamp(2, 1)).getMessage());
        assertEquals("uniform: need finite lo < hi, got [1.0, 1.0)",
                assertThrows(IllegalArgumentException.class,
                        () -> new Rng(1).uniform(F64, Shape.of(2), 1, 1)).getMessage());
        assertEquals("bernoulli: probability 1.5 at flat index 1 of shape [2] is outside [0, 1]",
                assertThrows(IllegalArgumentException.class,
                        () -> new Rng(1).bernoulli(Tensor.vector(F64, 0.5, 1.5))).getMessage());
        assertEquals("nextInt: bound must be positive, got 0",
                assertThrows(IllegalArgumentException.class, () -> new Rng(1).nextInt(0)).getMessage());
    }
}
