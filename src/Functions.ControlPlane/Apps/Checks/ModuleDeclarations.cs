using System.Text;

namespace Functions.ControlPlane.Apps.Checks;

/// <summary>
/// What a core module declares that decides whether the workers can instantiate it at all: its imports, the initial
/// sizes of its memories and tables, how many globals it has. Read from the binary's import, table, memory and global
/// sections only (no code is decoded): Wasmtime's API does not show defined memories, tables or globals that are not
/// exported, and a limit check must say the exact sizes.
/// </summary>
internal sealed record ModuleDeclarations(
    IReadOnlyList<DeclaredImport> Imports,
    IReadOnlyList<ulong> MemoryMinimumPages,
    IReadOnlyList<ulong> TableMinimumElements,
    int TableCount,
    int DefinedGlobals)
{
    public const ulong PageBytes = 64 * 1024;

    /// <summary>Reads <paramref name="wasm"/>; null when the bytes are not a module this reader understands.</summary>
    public static ModuleDeclarations? TryRead(ReadOnlySpan<byte> wasm)
    {
        try
        {
            return Read(wasm);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static ModuleDeclarations Read(ReadOnlySpan<byte> wasm)
    {
        if (wasm.Length < 8 || !wasm[..4].SequenceEqual("\0asm"u8) || wasm[4] != 1 || wasm[5] != 0 || wasm[6] != 0 || wasm[7] != 0)
        {
            throw new FormatException("not a core module");
        }

        var imports = new List<DeclaredImport>();
        var memories = new List<ulong>();
        var tables = new List<ulong>();
        var globals = 0;
        var tableCount = 0;
        var reader = new Reader(wasm[8..]);
        while (!reader.AtEnd)
        {
            var id = reader.Byte();
            var size = (int)reader.U32();
            var section = new Reader(reader.Take(size));
            switch (id)
            {
                case 2:
                    tableCount += ReadImports(ref section, imports, memories, tables);
                    break;
                case 4:
                    var defined = section.U32();
                    tableCount += (int)defined;
                    for (var n = defined; n > 0; n--)
                    {
                        if (section.Peek() == 0x40)
                        {
                            // A table with an initializer expression (function references): its type follows two
                            // bytes in, then an expression this reader does not decode, so later tables go unread.
                            section.Byte();
                            section.Byte();
                            tables.Add(ReadTableType(ref section));
                            break;
                        }

                        tables.Add(ReadTableType(ref section));
                    }

                    break;
                case 5:
                    for (var n = section.U32(); n > 0; n--)
                    {
                        memories.Add(ReadLimits(ref section));
                    }

                    break;
                case 6:
                    globals = (int)section.U32();
                    break;
            }
        }

        return new ModuleDeclarations(imports, memories, tables, tableCount, globals);
    }

    /// <summary>Reads the import section; returns how many tables it imports.</summary>
    private static int ReadImports(ref Reader section, List<DeclaredImport> imports, List<ulong> memories, List<ulong> tables)
    {
        var importedTables = 0;
        for (var n = section.U32(); n > 0; n--)
        {
            var module = section.Name();
            var name = section.Name();
            var kind = section.Byte();
            switch (kind)
            {
                case 0: // function: a type index
                    section.U32();
                    imports.Add(new DeclaredImport(module, name, "function"));
                    break;
                case 1:
                    importedTables++;
                    tables.Add(ReadTableType(ref section));
                    imports.Add(new DeclaredImport(module, name, "table"));
                    break;
                case 2:
                    memories.Add(ReadLimits(ref section));
                    imports.Add(new DeclaredImport(module, name, "memory"));
                    break;
                case 3: // global: a value type and mutability
                    ReadValueType(ref section);
                    section.Byte();
                    imports.Add(new DeclaredImport(module, name, "global"));
                    break;
                case 4: // tag (exception handling): an attribute and a type index
                    section.Byte();
                    section.U32();
                    imports.Add(new DeclaredImport(module, name, "tag"));
                    break;
                default:
                    throw new FormatException($"unknown import kind {kind}");
            }
        }

        return importedTables;
    }

    private static ulong ReadTableType(ref Reader section)
    {
        ReadValueType(ref section);
        return ReadLimits(ref section);
    }

    private static void ReadValueType(ref Reader section)
    {
        var type = section.Byte();
        if (type is 0x63 or 0x64)
        {
            section.S64(); // (ref null? heaptype): the heap type is a signed LEB128
        }
    }

    /// <summary>Limits: flags (bit 0: a maximum follows; bit 1: shared; bit 2: 64-bit), the minimum, perhaps the maximum.</summary>
    private static ulong ReadLimits(ref Reader section)
    {
        var flags = section.Byte();
        if (flags > 0x07)
        {
            throw new FormatException($"unknown limits flags {flags}");
        }

        var minimum = section.U64();
        if ((flags & 1) != 0)
        {
            section.U64();
        }

        return minimum;
    }

    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _at;

        public readonly bool AtEnd => _at >= _bytes.Length;

        public readonly byte Peek() => !AtEnd ? _bytes[_at] : throw new FormatException("truncated");

        public byte Byte()
        {
            var value = Peek();
            _at++;
            return value;
        }

        public ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || count > _bytes.Length - _at)
            {
                throw new FormatException("a section runs past the end of the module");
            }

            var slice = _bytes.Slice(_at, count);
            _at += count;
            return slice;
        }

        public uint U32() => U64() is var value && value <= uint.MaxValue ? (uint)value : throw new FormatException("u32 too large");

        public ulong U64()
        {
            ulong result = 0;
            for (var shift = 0; shift < 70; shift += 7)
            {
                var b = Byte();
                result |= (ulong)(b & 0x7f) << shift;
                if ((b & 0x80) == 0)
                {
                    return result;
                }
            }

            throw new FormatException("LEB128 too long");
        }

        public void S64() => U64();

        public string Name() => Encoding.UTF8.GetString(Take((int)U32()));
    }
}

/// <summary>One import: the module it comes from, its name, what kind of thing it is.</summary>
internal sealed record DeclaredImport(string Module, string Name, string Kind)
{
    public override string ToString() => $"{Module}.{Name} ({Kind})";
}
