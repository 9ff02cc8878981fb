package io.spool.bench.compare;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One panel of the SVG chart: groups of bars, one bar per contender, on a linear or logarithmic axis, with each
 * bar's value written above it. Missing values (NaN) leave a gap. Immutable.
 */
record ChartPanel(String title, boolean logarithmic, List<String> groups, Map<Contender, List<Double>> values) {
    static final int WIDTH = 900;
    static final int HEIGHT = 320;
    private static final int LEFT = 70;
    private static final int TOP = 40;
    private static final int PLOT_HEIGHT = 220;

    ChartPanel {
        groups = List.copyOf(groups);
        Map<Contender, List<Double>> copy = new EnumMap<>(Contender.class);
        values.forEach((contender, list) -> copy.put(contender, List.copyOf(list)));
        values = Collections.unmodifiableMap(copy);
    }

    /** The panel as SVG elements, drawn with its top-left corner at {@code y}; contenders without values left out. */
    String render(int y, List<Contender> allContenders) {
        List<Contender> contenders = allContenders.stream().filter(c -> values.getOrDefault(c, List.of()).stream()
                .anyMatch(v -> !Double.isNaN(v))).toList();
        StringBuilder svg = new StringBuilder();
        svg.append(text(LEFT, y + 22, "start", "title", title));
        double[] axis = axis();
        int baseline = y + TOP + PLOT_HEIGHT;
        for (double tick : ticks(axis)) {
            int ty = baseline - (int) Math.round(scaled(tick, axis) * PLOT_HEIGHT);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"grid\"/>%n",
                    LEFT, ty, WIDTH - 20, ty));
            svg.append(text(LEFT - 6, ty + 4, "end", "tick", label(tick)));
        }
        int groupWidth = (WIDTH - LEFT - 20) / Math.max(1, groups.size());
        int barWidth = Math.min(70, Math.max(4, (groupWidth - 20) / Math.max(1, contenders.size())));
        for (int g = 0; g < groups.size(); g++) {
            int gx = LEFT + g * groupWidth + (groupWidth - contenders.size() * barWidth) / 2;
            for (int c = 0; c < contenders.size(); c++) {
                double value = values.getOrDefault(contenders.get(c), List.of()).get(g);
                if (Double.isNaN(value)) {
                    continue;
                }
                int h = (int) Math.round(Math.max(0, scaled(value, axis)) * PLOT_HEIGHT);
                int bx = gx + c * barWidth;
                svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\""
                        + " class=\"%s\"/>%n", bx, baseline - h, barWidth - 2, h, contenders.get(c).id()));
                svg.append(text(bx + barWidth / 2, baseline - h - 3, "middle", "value", label(value)));
            }
            svg.append(text(gx + contenders.size() * barWidth / 2, baseline + 16, "middle", "group", groups.get(g)));
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>%n",
                LEFT, baseline, WIDTH - 20, baseline));
        return svg.toString();
    }

    /** Lower and upper end of the axis: from 0 (linear) or a power of ten (logarithmic) to above the largest. */
    private double[] axis() {
        double max = 0;
        double minPositive = Double.MAX_VALUE;
        for (List<Double> list : values.values()) {
            for (double v : list) {
                if (!Double.isNaN(v)) {
                    max = Math.max(max, v);
                    minPositive = v > 0 ? Math.min(minPositive, v) : minPositive;
                }
            }
        }
        if (logarithmic) {
            double low = Math.pow(10, Math.floor(Math.log10(Math.min(Math.max(minPositive, 0.1), Math.max(max, 1)))));
            double high = Math.pow(10, Math.ceil(Math.log10(Math.max(max, low * 10) * 1.0001)));
            return new double[] {low, high};
        }
        if (max <= 0) {
            return new double[] {0, 1};
        }
        double step = niceStep(max / 5);
        return new double[] {0, Math.ceil(max * 1.1 / step) * step};
    }

    private List<Double> ticks(double[] axis) {
        List<Double> ticks = new ArrayList<>();
        if (logarithmic) {
            for (double t = axis[0]; t <= axis[1] * 1.0001; t *= 10) {
                ticks.add(t);
            }
        } else {
            double step = niceStep(axis[1] / 5);
            for (double t = 0; t <= axis[1] * 1.0001; t += step) {
                ticks.add(t);
            }
        }
        return ticks;
    }

    /** Where {@code value} sits on the axis, from 0 (bottom) to 1 (top). */
    private double scaled(double value, double[] axis) {
        if (logarithmic) {
            return value <= axis[0] ? 0 : Math.log10(value / axis[0]) / Math.log10(axis[1] / axis[0]);
        }
        return axis[1] == 0 ? 0 : value / axis[1];
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * power >= raw) {
                return m * power;
            }
        }
        return 10 * power;
    }

    private static String label(double value) {
        if (value >= 10_000) {
            return String.format(Locale.ROOT, "%.0fk", value / 1000);
        }
        if (value >= 10 || value == Math.rint(value)) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        return String.format(Locale.ROOT, "%.2g", value);
    }

    static String text(int x, int y, String anchor, String cssClass, String content) {
        return String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\" class=\"%s\">%s</text>%n", x, y,
                anchor, cssClass, content.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"));
    }
}
