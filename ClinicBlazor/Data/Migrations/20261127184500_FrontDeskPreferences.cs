using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBlazor.Data.Migrations
{
    /// <inheritdoc />
    public partial class FrontDeskPreferences : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Address",
                table: "Clinic",
                type: "TEXT",
                maxLength: 400,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "TimeFormat",
                table: "Clinic",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "CalendarViewPreference",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    WeekPractitionerIds = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    ShowWeekend = table.Column<bool>(type: "INTEGER", nullable: false),
                    ShowCancelled = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CalendarViewPreference", x => x.UserId);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CalendarViewPreference");

            migrationBuilder.DropColumn(
                name: "Address",
                table: "Clinic");

            migrationBuilder.DropColumn(
                name: "TimeFormat",
                table: "Clinic");
        }
    }
}
