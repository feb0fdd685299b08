using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace VoxScheduler.Tests.Architecture;

/// <summary>One type of a layer referring to a type of another layer.</summary>
internal sealed record LayerReference(string From, string To, string FromType, string ToType, string Where);

/// <summary>
/// Reads a compiled assembly's metadata (System.Reflection.Metadata, nothing loaded) and lists
/// every reference from a type of one layer to a type of another: base types, interfaces,
/// generic constraints, fields, method and property signatures, locals, and every type, method
/// and field token in method bodies, so a fully qualified name written in code is caught as
/// surely as a <c>using</c>. A layer is the first namespace segment under the root
/// (<c>Root.Dag.X</c> → <c>Dag</c>); types in the root namespace itself form the layer
/// <see cref="RootLayer"/>; nested types belong to their outermost type's layer; types outside
/// the root (compiler-generated attributes) belong to none.
/// </summary>
internal static class NamespaceDependencyScanner
{
    public const string RootLayer = "Errors";

    private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);

    /// <summary>Every cross-layer reference in <paramref name="assemblyPath"/>, and every layer seen.</summary>
    public static (IReadOnlyList<LayerReference> References, IReadOnlySet<string> Layers) Scan(string assemblyPath, string rootNamespace)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var references = new List<LayerReference>();
        var layers = new SortedSet<string>(StringComparer.Ordinal);
        var collector = new Collector(reader);

        foreach (var handle in reader.TypeDefinitions)
        {
            var from = LayerOf(reader, handle, rootNamespace);
            if (from is null) continue;
            layers.Add(from);
            var type = reader.GetTypeDefinition(handle);
            var typeName = FullName(reader, handle);

            void Report(string where)
            {
                foreach (var target in collector.Drain())
                {
                    var to = LayerOf(reader, target, rootNamespace);
                    if (to is not null && to != from)
                        references.Add(new LayerReference(from, to, typeName, FullName(reader, target), where));
                }
            }

            if (!type.BaseType.IsNil) collector.AddEntity(type.BaseType);
            foreach (var i in type.GetInterfaceImplementations()) collector.AddEntity(reader.GetInterfaceImplementation(i).Interface);
            foreach (var g in type.GetGenericParameters())
                foreach (var c in reader.GetGenericParameter(g).GetConstraints()) collector.AddEntity(reader.GetGenericParameterConstraint(c).Type);
            AddAttributes(reader, collector, type.GetCustomAttributes());
            Report("base type, interfaces, constraints or attributes");

            foreach (var f in type.GetFields())
            {
                var field = reader.GetFieldDefinition(f);
                field.DecodeSignature(collector, null);
                AddAttributes(reader, collector, field.GetCustomAttributes());
                Report($"field {reader.GetString(field.Name)}");
            }

            foreach (var p in type.GetProperties())
            {
                var property = reader.GetPropertyDefinition(p);
                property.DecodeSignature(collector, null);
                Report($"property {reader.GetString(property.Name)}");
            }

            foreach (var e in type.GetEvents())
            {
                var ev = reader.GetEventDefinition(e);
                collector.AddEntity(ev.Type);
                Report($"event {reader.GetString(ev.Name)}");
            }

            foreach (var m in type.GetMethods())
            {
                var method = reader.GetMethodDefinition(m);
                var name = reader.GetString(method.Name);
                method.DecodeSignature(collector, null);
                foreach (var g in method.GetGenericParameters())
                    foreach (var c in reader.GetGenericParameter(g).GetConstraints()) collector.AddEntity(reader.GetGenericParameterConstraint(c).Type);
                AddAttributes(reader, collector, method.GetCustomAttributes());
                Report($"signature of {name}");
                if (method.RelativeVirtualAddress == 0) continue;
                var body = pe.GetMethodBody(method.RelativeVirtualAddress);
                if (!body.LocalSignature.IsNil)
                {
                    var locals = reader.GetStandaloneSignature(body.LocalSignature);
                    _ = locals.DecodeLocalSignature(collector, null);
                }

                ScanIl(body.GetILReader(), collector);
                Report($"body of {name}");
            }
        }

        return (references, layers);
    }

    private static void AddAttributes(MetadataReader reader, Collector collector, CustomAttributeHandleCollection attributes)
    {
        foreach (var a in attributes) collector.AddEntity(reader.GetCustomAttribute(a).Constructor);
    }

    private static void ScanIl(BlobReader il, Collector collector)
    {
        while (il.RemainingBytes > 0)
        {
            short code = il.ReadByte();
            if (code == 0xFE) code = unchecked((short)(0xFE00 | il.ReadByte()));
            switch (Operands[code])
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    il.Offset += 8;
                    break;
                case OperandType.InlineSwitch:
                    var count = il.ReadInt32();
                    il.Offset += 4 * count;
                    break;
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok or OperandType.InlineSig:
                    collector.AddEntity(MetadataTokens.EntityHandle(il.ReadInt32()));
                    break;
                default: // InlineBrTarget, InlineI, InlineString, ShortInlineR
                    il.Offset += 4;
                    break;
            }
        }
    }

    private static string? LayerOf(MetadataReader reader, TypeDefinitionHandle handle, string root)
    {
        var type = reader.GetTypeDefinition(handle);
        while (type.IsNested) type = reader.GetTypeDefinition(type.GetDeclaringType());
        var ns = reader.GetString(type.Namespace);
        if (ns == root) return RootLayer;
        if (!ns.StartsWith(root + ".", StringComparison.Ordinal)) return null;
        var rest = ns[(root.Length + 1)..];
        var dot = rest.IndexOf('.');
        return dot < 0 ? rest : rest[..dot];
    }

    private static string FullName(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        var name = reader.GetString(type.Name);
        return type.IsNested
            ? FullName(reader, type.GetDeclaringType()) + "+" + name
            : reader.GetString(type.Namespace) + "." + name;
    }

    /// <summary>A signature decoder that only records the assembly's own types it meets.</summary>
    private sealed class Collector(MetadataReader reader) : ISignatureTypeProvider<int, object?>
    {
        private readonly HashSet<TypeDefinitionHandle> _found = [];

        public List<TypeDefinitionHandle> Drain()
        {
            var list = _found.ToList();
            _found.Clear();
            return list;
        }

        public void AddEntity(EntityHandle handle)
        {
            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                    _found.Add((TypeDefinitionHandle)handle);
                    break;
                case HandleKind.TypeSpecification:
                    reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null);
                    break;
                case HandleKind.MethodDefinition:
                    _found.Add(reader.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType());
                    break;
                case HandleKind.FieldDefinition:
                    _found.Add(reader.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType());
                    break;
                case HandleKind.MemberReference:
                    var member = reader.GetMemberReference((MemberReferenceHandle)handle);
                    AddEntity(member.Parent);
                    if (member.GetKind() == MemberReferenceKind.Method) member.DecodeMethodSignature(this, null);
                    else member.DecodeFieldSignature(this, null);
                    break;
                case HandleKind.MethodSpecification:
                    var spec = reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                    AddEntity(spec.Method);
                    _ = spec.DecodeSignature(this, null);
                    break;
                case HandleKind.StandaloneSignature:
                    var sig = reader.GetStandaloneSignature((StandaloneSignatureHandle)handle);
                    if (sig.GetKind() == StandaloneSignatureKind.Method) sig.DecodeMethodSignature(this, null);
                    break;
            }
        }

        public int GetTypeFromDefinition(MetadataReader r, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            _found.Add(handle);
            return 0;
        }

        public int GetTypeFromReference(MetadataReader r, TypeReferenceHandle handle, byte rawTypeKind) => 0;

        public int GetTypeFromSpecification(MetadataReader r, object? context, TypeSpecificationHandle handle, byte rawTypeKind) =>
            r.GetTypeSpecification(handle).DecodeSignature(this, context);

        public int GetArrayType(int elementType, ArrayShape shape) => 0;

        public int GetByReferenceType(int elementType) => 0;

        public int GetFunctionPointerType(MethodSignature<int> signature) => 0;

        public int GetGenericInstantiation(int genericType, ImmutableArray<int> typeArguments) => 0;

        public int GetGenericMethodParameter(object? genericContext, int index) => 0;

        public int GetGenericTypeParameter(object? genericContext, int index) => 0;

        public int GetModifiedType(int modifier, int unmodifiedType, bool isRequired) => 0;

        public int GetPinnedType(int elementType) => 0;

        public int GetPointerType(int elementType) => 0;

        public int GetPrimitiveType(PrimitiveTypeCode typeCode) => 0;

        public int GetSZArrayType(int elementType) => 0;
    }
}
