export async function ledgerCommand(_a: string[]): Promise<void> {}
