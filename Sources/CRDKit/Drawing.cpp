#include "CRDKit.h"
#include "MolHandle.hpp"
#include "ShimSupport.hpp"

#include <map>
#include <string>
#include <vector>

#include <GraphMol/GraphMol.h>
#include <GraphMol/MolDraw2D/MolDraw2DSVG.h>
#include <GraphMol/MolDraw2D/MolDraw2DUtils.h>

using crdkit::copyString;
using crdkit::guarded;

extern "C" char *crdkit_mol_draw_svg(const crdkit_mol *mol, unsigned width, unsigned height, const double *rgb,
                                     const char *legend, char **error) {
  return guarded(error, static_cast<char *>(nullptr), [&]() -> char * {
    // prepareMolForDrawing computes 2D coordinates and kekulizes; hydrogens it adds at chiral
    // centres come after the molecule's own atoms, whose indices stay those of the featurizer.
    RDKit::RWMol drawn(*mol->mol);
    RDKit::MolDraw2DUtils::prepareMolForDrawing(drawn);
    RDKit::MolDraw2DSVG drawer(static_cast<int>(width), static_cast<int>(height));
    drawer.drawOptions().clearBackground = false;
    std::vector<int> atoms;
    std::map<int, RDKit::DrawColour> colours;
    std::map<int, double> radii;
    if (rgb) {
      for (unsigned a = 0; a < mol->mol->getNumAtoms(); ++a) {
        atoms.push_back(static_cast<int>(a));
        colours[static_cast<int>(a)] = RDKit::DrawColour(rgb[3 * a], rgb[3 * a + 1], rgb[3 * a + 2]);
        radii[static_cast<int>(a)] = 0.45;
      }
    }
    drawer.drawMolecule(drawn, legend ? legend : "", rgb ? &atoms : nullptr, nullptr, rgb ? &colours : nullptr, nullptr,
                        rgb ? &radii : nullptr);
    drawer.finishDrawing();
    return copyString(drawer.getDrawingText());
  });
}
