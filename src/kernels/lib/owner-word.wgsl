// The owner word shell_nearest writes per entry and the label rules (shell-rules.wgsl) read: owner
// index | LUMEN_BIT | UNDECIDED_BIT | S_UNSURE_BIT | tie mask << TIE_SHIFT, NO_OWNER for a void
// entry; and BAND_MM, the f32 uncertainty band both judge with. Set from src/shells/constants.ts.

override NO_OWNER: u32;
override LUMEN_BIT: u32;
override UNDECIDED_BIT: u32;
override S_UNSURE_BIT: u32;
override TIE_SHIFT: u32;
override BAND_MM: f32;
