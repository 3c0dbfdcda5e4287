/*
 * What a classic seccomp program answers for one system call when its arguments are not known: the program is
 * run with seccomp_data.nr and .arch set and everything else (instruction pointer, arguments) unknown; a
 * decision that depends on an unknown value gives "depends". Used to tell whether a zygote's primed workload may
 * install the profile's filter before it waits (zygote.c): only when every call it still makes is allowed
 * whatever its arguments. Anything this reader does not follow also gives "depends" — the safe answer.
 */
#define _GNU_SOURCE
#include "sandbox.h"

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/seccomp.h>

#define SECCOMP_DATA_NR 0u
#define SECCOMP_DATA_ARCH 4u
#define SECCOMP_DATA_SIZE 64u

struct reg {
  uint32_t value;
  bool known;
};

static bool alu(uint16_t op, struct reg *a, struct reg src) {
  if (!a->known || !src.known) {
    a->known = false;
    return true;
  }
  uint32_t v = src.value;
  switch (op) {
    case BPF_ADD: a->value += v; break;
    case BPF_SUB: a->value -= v; break;
    case BPF_MUL: a->value *= v; break;
    case BPF_DIV: if (v == 0) return false; a->value /= v; break;
    case BPF_MOD: if (v == 0) return false; a->value %= v; break;
    case BPF_AND: a->value &= v; break;
    case BPF_OR: a->value |= v; break;
    case BPF_XOR: a->value ^= v; break;
    case BPF_LSH: a->value = v < 32 ? a->value << v : 0; break;
    case BPF_RSH: a->value = v < 32 ? a->value >> v : 0; break;
    case BPF_NEG: a->value = (uint32_t)-a->value; break;
    default: return false;
  }
  return true;
}

long seccomp_verdict(const struct sock_filter *prog, size_t len, uint32_t nr, uint32_t arch) {
  struct reg a = {0, true}, x = {0, true}, mem[BPF_MEMWORDS];
  for (size_t i = 0; i < BPF_MEMWORDS; i++) mem[i] = (struct reg){0, true};
  for (size_t pc = 0; pc < len; pc++) {
    const struct sock_filter f = prog[pc];
    switch (BPF_CLASS(f.code)) {
      case BPF_LD:
        if (f.code == (BPF_LD | BPF_W | BPF_ABS)) {
          if (f.k == SECCOMP_DATA_NR) a = (struct reg){nr, true};
          else if (f.k == SECCOMP_DATA_ARCH) a = (struct reg){arch, true};
          else if (f.k < SECCOMP_DATA_SIZE) a.known = false; /* instruction pointer or an argument */
          else return -1;
        } else if (f.code == (BPF_LD | BPF_W | BPF_LEN)) a = (struct reg){SECCOMP_DATA_SIZE, true};
        else if (f.code == (BPF_LD | BPF_IMM)) a = (struct reg){f.k, true};
        else if (f.code == (BPF_LD | BPF_MEM) && f.k < BPF_MEMWORDS) a = mem[f.k];
        else return -1;
        break;
      case BPF_LDX:
        if (f.code == (BPF_LDX | BPF_W | BPF_LEN)) x = (struct reg){SECCOMP_DATA_SIZE, true};
        else if (f.code == (BPF_LDX | BPF_IMM)) x = (struct reg){f.k, true};
        else if (f.code == (BPF_LDX | BPF_MEM) && f.k < BPF_MEMWORDS) x = mem[f.k];
        else return -1;
        break;
      case BPF_ST:
        if (f.k >= BPF_MEMWORDS) return -1;
        mem[f.k] = a;
        break;
      case BPF_STX:
        if (f.k >= BPF_MEMWORDS) return -1;
        mem[f.k] = x;
        break;
      case BPF_ALU:
        if (!alu(BPF_OP(f.code), &a, BPF_SRC(f.code) == BPF_X ? x : (struct reg){f.k, true})) return -1;
        break;
      case BPF_JMP: {
        if (BPF_OP(f.code) == BPF_JA) {
          pc += f.k;
          break;
        }
        struct reg src = BPF_SRC(f.code) == BPF_X ? x : (struct reg){f.k, true};
        if (!a.known || !src.known) return -1; /* the way on depends on what is not known */
        bool taken;
        switch (BPF_OP(f.code)) {
          case BPF_JEQ: taken = a.value == src.value; break;
          case BPF_JGT: taken = a.value > src.value; break;
          case BPF_JGE: taken = a.value >= src.value; break;
          case BPF_JSET: taken = (a.value & src.value) != 0; break;
          default: return -1;
        }
        pc += taken ? f.jt : f.jf;
        break;
      }
      case BPF_RET:
        if (BPF_RVAL(f.code) == BPF_K) return (long)f.k;
        if (BPF_RVAL(f.code) == BPF_A && a.known) return (long)a.value;
        return -1;
      case BPF_MISC:
        if (BPF_MISCOP(f.code) == BPF_TAX) x = a;
        else if (BPF_MISCOP(f.code) == BPF_TXA) a = x;
        else return -1;
        break;
      default: return -1;
    }
  }
  return -1; /* ran off the end: not a valid program */
}

/* The same program run exactly, on a whole seccomp_data (denials.c: the profile's answer for a refused call).
 * -1 for anything the kernel would not have accepted. */
long seccomp_run(const struct sock_filter *prog, size_t len, const struct seccomp_data *data) {
  uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {0};
  const unsigned char *bytes = (const unsigned char *)data;
  for (size_t pc = 0; pc < len; pc++) {
    const struct sock_filter f = prog[pc];
    switch (BPF_CLASS(f.code)) {
      case BPF_LD:
        if (f.code == (BPF_LD | BPF_W | BPF_ABS)) {
          if (f.k > SECCOMP_DATA_SIZE - 4 || (f.k & 3)) return -1;
          memcpy(&a, bytes + f.k, 4);
        } else if (f.code == (BPF_LD | BPF_W | BPF_LEN)) a = SECCOMP_DATA_SIZE;
        else if (f.code == (BPF_LD | BPF_IMM)) a = f.k;
        else if (f.code == (BPF_LD | BPF_MEM) && f.k < BPF_MEMWORDS) a = mem[f.k];
        else return -1;
        break;
      case BPF_LDX:
        if (f.code == (BPF_LDX | BPF_W | BPF_LEN)) x = SECCOMP_DATA_SIZE;
        else if (f.code == (BPF_LDX | BPF_IMM)) x = f.k;
        else if (f.code == (BPF_LDX | BPF_MEM) && f.k < BPF_MEMWORDS) x = mem[f.k];
        else return -1;
        break;
      case BPF_ST:
        if (f.k >= BPF_MEMWORDS) return -1;
        mem[f.k] = a;
        break;
      case BPF_STX:
        if (f.k >= BPF_MEMWORDS) return -1;
        mem[f.k] = x;
        break;
      case BPF_ALU: {
        struct reg r = {a, true};
        if (!alu(BPF_OP(f.code), &r, (struct reg){BPF_SRC(f.code) == BPF_X ? x : f.k, true})) return -1;
        a = r.value;
        break;
      }
      case BPF_JMP: {
        if (BPF_OP(f.code) == BPF_JA) {
          pc += f.k;
          break;
        }
        uint32_t src = BPF_SRC(f.code) == BPF_X ? x : f.k;
        bool taken;
        switch (BPF_OP(f.code)) {
          case BPF_JEQ: taken = a == src; break;
          case BPF_JGT: taken = a > src; break;
          case BPF_JGE: taken = a >= src; break;
          case BPF_JSET: taken = (a & src) != 0; break;
          default: return -1;
        }
        pc += taken ? f.jt : f.jf;
        break;
      }
      case BPF_RET: return BPF_RVAL(f.code) == BPF_A ? (long)a : (long)f.k;
      case BPF_MISC:
        if (BPF_MISCOP(f.code) == BPF_TAX) x = a;
        else if (BPF_MISCOP(f.code) == BPF_TXA) a = x;
        else return -1;
        break;
      default: return -1;
    }
  }
  return -1;
}
