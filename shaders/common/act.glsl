// Activation functions, GLSL twins of act_apply() in src/kern/kern_cpu.c.
// Codes match as_act (include/attnscope/cfg.h): the host passes the enum value.
#ifndef AS_ACT_GLSL
#define AS_ACT_GLSL

#define ACT_GELU 0u
#define ACT_GELU_TANH 1u
#define ACT_RELU 2u
#define ACT_SILU 3u

// erfc(z) for z >= 0: Numerical Recipes (3rd ed., Erf::erfccheb) Chebyshev fit of
// erfc(z) * exp(z*z) in t = 2/(2+z), evaluated with Clenshaw's recurrence. The full 28-term series
// is good to 1.2e-16; coefficients below 1e-9 are dropped because float rounding (~6e-8) dominates
// long before them. GLSL has no erf and the short Abramowitz-Stegun fits (error ~1e-7 relative
// to 1, ~1e-5 for some) are too coarse to match erff() within 1e-6 through GELU.
float erfc_pos(float z)
{
    const float cof[15] = float[](
        -1.3026537197817094, 6.4196979235649026e-1, 1.9476473204185836e-2, -9.561514786808631e-3,
        -9.46595344482036e-4, 3.66839497852761e-4, 4.2523324806907e-5, -2.0278578112534e-5,
        -1.624290004647e-6, 1.303655835580e-6, 1.5626441722e-8, -8.5238095915e-8,
        6.529054439e-9, 5.059343495e-9, -9.91364156e-10);
    float t = 2.0 / (2.0 + z);
    float ty = 4.0 * t - 2.0;
    float d = 0.0, dd = 0.0;
    for (int j = 14; j > 0; j--) {
        float tmp = d;
        d = ty * d - dd + cof[j];
        dd = tmp;
    }
    return t * exp(-z * z + 0.5 * (cof[0] + ty * d) - dd);
}

float erf_f(float x)
{
    float r = 1.0 - erfc_pos(abs(x));
    return x < 0.0 ? -r : r;
}

// tanh from exp(-2|x|): never forms inf/inf, which a naive (e^2x-1)/(e^2x+1) does for |x| > 44.
float tanh_f(float x)
{
    float e = exp(-2.0 * abs(x));
    float r = (1.0 - e) / (1.0 + e);
    return x < 0.0 ? -r : r;
}

float act_apply(uint act, float x)
{
    if (act == ACT_GELU)
        return 0.5 * x * (1.0 + erf_f(x * 0.70710678118654752));
    if (act == ACT_GELU_TANH)
        return 0.5 * x * (1.0 + tanh_f(0.7978845608028654 * (x + 0.044715 * x * x * x)));
    if (act == ACT_RELU)
        return x > 0.0 ? x : 0.0;
    // SiLU: exp(-x) overflows to inf for x < -88 and x/inf = -0, the limit.
    return x / (1.0 + exp(-x));
}

#endif
