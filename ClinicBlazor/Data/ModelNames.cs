using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace ClinicBlazor.Data;

/// <summary>Table and column names, and stored values, as the EF model maps them (quoted for SQL).</summary>
public sealed class ModelNames(IModel model)
{
    public Table For<T>() => new(model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model."));

    public sealed class Table(IEntityType entity)
    {
        private readonly StoreObjectIdentifier store = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());

        /// <summary>The quoted table name.</summary>
        public string Name => Quote(store.Name);

        /// <summary>The quoted column of a property.</summary>
        public string this[string property] => Quote(Property(property).GetColumnName(store)!);

        /// <summary>A value as the column stores it (an enum kept as text), as a SQL literal.</summary>
        public string Stored(string property, object value)
        {
            var stored = Property(property).GetTypeMapping().Converter?.ConvertToProvider(value) ?? value;
            return stored is string textValue ? $"'{textValue.Replace("'", "''", StringComparison.Ordinal)}'" : Convert.ToString(stored, CultureInfo.InvariantCulture)!;
        }

        private IProperty Property(string name) => entity.FindProperty(name) ?? throw new InvalidOperationException($"{entity.DisplayName()}.{name} is not in the model.");

        private static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

        public override string ToString() => Name;
    }
}
