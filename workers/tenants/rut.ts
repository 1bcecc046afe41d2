// The Chilean RUT (the seed's tenant detail keeps one): format and check digit (módulo 11).

export function validRut(rut: string): boolean {
  const m = /^(\d{1,2}(?:\.?\d{3}){2})-([\dkK])$/.exec(rut.trim());
  if (!m?.[1] || !m[2]) return false;
  const digits = m[1].replace(/\./g, "");
  let sum = 0;
  let mul = 2;
  for (let i = digits.length - 1; i >= 0; i--) {
    sum += Number(digits[i]) * mul;
    mul = mul === 7 ? 2 : mul + 1;
  }
  const dv = 11 - (sum % 11);
  const expected = dv === 11 ? "0" : dv === 10 ? "K" : String(dv);
  return expected === m[2].toUpperCase();
}
