/* Colormap tables. viridis and magma come from Matt Zucker's degree-6 polynomial fits of the
 * matplotlib data (https://www.shadertoy.com/view/WlfXRN, CC0; within ~0.01 of matplotlib's
 * _cm_listed.py tables, which the unit test checks); the diverging map is Kenneth Moreland's
 * cool-warm ("Diverging Color Maps for Scientific Visualization", ISVC 2009): the two end colours
 * interpolated in his Msh space through a light grey, computed here from the paper's formulas. */
#include "attnscope/render.h"

#include <math.h>
#include <string.h>

static const char *const cmap_names[AS_RENDER_CMAPS] = {"viridis", "magma", "gray", "diverging"};

const char *as_render_cmap_name(as_render_cmap c)
{
    AS_ASSERT(c >= 0 && c < AS_RENDER_CMAPS);
    return cmap_names[c];
}

int as_render_cmap_parse(const char *name, as_render_cmap *out)
{
    for (int i = 0; i < AS_RENDER_CMAPS; i++) {
        if (strcmp(name, cmap_names[i]) == 0) {
            *out = (as_render_cmap)i;
            return AS_OK;
        }
    }
    return as_fail(AS_EINVAL, "colormap '%s': unknown (use viridis, magma, gray or diverging)",
                   name);
}

static uint8_t to_byte(double x)
{
    if (!(x > 0.0))
        return 0;
    if (x >= 1.0)
        return 255;
    return (uint8_t)lround(x * 255.0);
}

/* ---- polynomial fits ------------------------------------------------------------------------
 * channel(t) = c0 + t*(c1 + t*(c2 + ... + t*c6)), coefficients [degree][channel]. */
static const double viridis_poly[7][3] = {
    {0.2777273272234177, 0.005407344544966578, 0.3340998053353061},
    {0.1050930431085774, 1.404613529898575, 1.384590162594685},
    {-0.3308618287255563, 0.214847559468213, 0.09509516302823659},
    {-4.634230498983486, -5.799100973351585, -19.33244095627987},
    {6.228269936347081, 14.17993336680509, 56.69055260068105},
    {4.776384997670288, -13.74514537774601, -65.35303263337234},
    {-5.435455855934631, 4.645852612178535, 26.3124352495832},
};

static const double magma_poly[7][3] = {
    {-0.002136485053939582, -0.000749655052795221, -0.005386127855323933},
    {0.2516605407371642, 0.6775232436837668, 2.494026599312351},
    {8.353717279216625, -3.577719514958484, 0.3144679030132573},
    {-27.66873308576866, 14.26473078096533, -13.64921318813922},
    {52.17613981234068, -27.94360607168351, 12.94416944238394},
    {-50.76852536473588, 29.04658282127291, 4.23415299384598},
    {18.65570506591883, -11.48977351997711, -5.601961508734096},
};

static as_render_rgb poly_color(const double c[7][3], double t)
{
    double v[3];
    for (int ch = 0; ch < 3; ch++) {
        double acc = c[6][ch];
        for (int d = 5; d >= 0; d--)
            acc = c[d][ch] + t * acc;
        v[ch] = acc;
    }
    return (as_render_rgb){to_byte(v[0]), to_byte(v[1]), to_byte(v[2])};
}

/* ---- Moreland cool-warm ---------------------------------------------------------------------
 * sRGB -> linear -> CIE XYZ (D65) -> L*a*b* -> Msh (magnitude, saturation angle, hue). */
typedef struct {
    double m, s, h;
} msh;

static const double white[3] = {0.95047, 1.0, 1.08883}; /* D65 reference white */

static double lab_f(double t)
{
    return t > 0.008856 ? cbrt(t) : 7.787 * t + 16.0 / 116.0;
}

static double lab_finv(double t)
{
    return t > 0.20689 ? t * t * t : (t - 16.0 / 116.0) / 7.787;
}

static double srgb_to_linear(double c)
{
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double linear_to_srgb(double c)
{
    return c <= 0.0031308 ? 12.92 * c : 1.055 * pow(c, 1.0 / 2.4) - 0.055;
}

static msh rgb_to_msh(double r8, double g8, double b8)
{
    double r = srgb_to_linear(r8 / 255.0), g = srgb_to_linear(g8 / 255.0);
    double b = srgb_to_linear(b8 / 255.0);
    double x = 0.4124564 * r + 0.3575761 * g + 0.1804375 * b;
    double y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b;
    double z = 0.0193339 * r + 0.1191920 * g + 0.9503041 * b;
    double fx = lab_f(x / white[0]), fy = lab_f(y / white[1]), fz = lab_f(z / white[2]);
    double l = 116.0 * fy - 16.0, a = 500.0 * (fx - fy), bb = 200.0 * (fy - fz);
    msh o;
    o.m = sqrt(l * l + a * a + bb * bb);
    o.s = o.m > 0.0 ? acos(l / o.m) : 0.0;
    o.h = atan2(bb, a);
    return o;
}

static as_render_rgb msh_to_rgb(msh c)
{
    double l = c.m * cos(c.s), a = c.m * sin(c.s) * cos(c.h), bb = c.m * sin(c.s) * sin(c.h);
    double fy = (l + 16.0) / 116.0, fx = fy + a / 500.0, fz = fy - bb / 200.0;
    double x = white[0] * lab_finv(fx), y = white[1] * lab_finv(fy), z = white[2] * lab_finv(fz);
    double r = 3.2404542 * x - 1.5371385 * y - 0.4985314 * z;
    double g = -0.9692660 * x + 1.8760108 * y + 0.0415560 * z;
    double b = 0.0556434 * x - 0.2040259 * y + 1.0572252 * z;
    return (as_render_rgb){to_byte(linear_to_srgb(r)), to_byte(linear_to_srgb(g)),
                           to_byte(linear_to_srgb(b))};
}

/* Moreland's hue spin: an unsaturated end takes the saturated end's hue, twisted so the
 * perceived hue does not jump near white. */
static double adjust_hue(msh sat, double m_unsat)
{
    if (sat.m >= m_unsat)
        return sat.h;
    double spin = sat.s * sqrt(m_unsat * m_unsat - sat.m * sat.m) / (sat.m * sin(sat.s));
    return sat.h > -M_PI / 3.0 ? sat.h + spin : sat.h - spin;
}

static as_render_rgb diverging_color(double t)
{
    msh a = rgb_to_msh(59, 76, 192), b = rgb_to_msh(180, 4, 38); /* the paper's end points */
    /* Distinct hues: go through an unsaturated white of magnitude >= 88 (the paper's choice). */
    if (a.s > 0.05 && b.s > 0.05 && fabs(a.h - b.h) > M_PI / 3.0) {
        double mid = fmax(88.0, fmax(a.m, b.m));
        if (t < 0.5) {
            b = (msh){mid, 0.0, 0.0};
            t *= 2.0;
        } else {
            a = (msh){mid, 0.0, 0.0};
            t = 2.0 * t - 1.0;
        }
    }
    if (a.s < 0.05 && b.s > 0.05)
        a.h = adjust_hue(b, a.m);
    else if (b.s < 0.05 && a.s > 0.05)
        b.h = adjust_hue(a, b.m);
    msh c = {(1 - t) * a.m + t * b.m, (1 - t) * a.s + t * b.s, (1 - t) * a.h + t * b.h};
    return msh_to_rgb(c);
}

void as_render_cmap_lut(as_render_cmap c, as_render_rgb lut[256])
{
    AS_ASSERT(c >= 0 && c < AS_RENDER_CMAPS);
    for (int i = 0; i < 256; i++) {
        double t = i / 255.0;
        switch (c) {
        case AS_RENDER_CMAP_VIRIDIS:
            lut[i] = poly_color(viridis_poly, t);
            break;
        case AS_RENDER_CMAP_MAGMA:
            lut[i] = poly_color(magma_poly, t);
            break;
        case AS_RENDER_CMAP_GRAY:
            lut[i] = (as_render_rgb){(uint8_t)i, (uint8_t)i, (uint8_t)i};
            break;
        default:
            lut[i] = diverging_color(t);
            break;
        }
    }
}
