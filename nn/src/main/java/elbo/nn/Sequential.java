package elbo.nn;

import elbo.core.Tensor;

import java.util.List;

/** Layers applied in order: {@code y = f_n(... f_2(f_1(x)))}; children are named 0, 1, 2, ... */
public final class Sequential extends Layer {
    private final Layer[] layers;

    public Sequential(Layer... layers) {
        this.layers = layers.clone();
        for (int i = 0; i < layers.length; i++) {
            child(Integer.toString(i), layers[i]);
        }
    }

    public Sequential(List<? extends Layer> layers) {
        this(layers.toArray(new Layer[0]));
    }

    @Override
    public Tensor forward(Tensor x) {
        for (Layer l : layers) {
            x = l.forward(x);
        }
        return x;
    }

    /** The i-th layer. */
    public Layer get(int i) {
        return layers[i];
    }

    public int size() {
        return layers.length;
    }
}
